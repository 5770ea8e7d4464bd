"""The image service: a Glance v2 compatible image registry with a file store."""
