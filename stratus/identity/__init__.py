"""The identity (Keystone v3) part of the SDK: ``conn.identity``."""
