"""The block storage (Cinder v3) part of the SDK: ``conn.block_storage``."""
