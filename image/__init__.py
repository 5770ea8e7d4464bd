"""The image service (Glance v2 compatible); built by the [image] issue."""
