"""The compute (Nova v2.1) part of the SDK: ``conn.compute``."""
