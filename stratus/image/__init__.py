"""The image (Glance v2) part of the SDK: ``conn.image``."""
