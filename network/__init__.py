"""The network service (Neutron v2.0 compatible); built by the [network-api] issue."""
