"""The network (Neutron v2.0) part of the SDK: ``conn.network``."""
