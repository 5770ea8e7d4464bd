"""The volume service (Cinder v3 compatible); built by the [volume] issue."""
