"""Host network device names of a server's ports, as Neutron's linuxbridge agent names them.

The compute agent creates the tap of a port and the bridge of its network
under these names, the network agent finds them by the same names, and the
metadata a guest reads (``network_data.json``) calls its links by them.
This module imports nothing, so that both the agent (no database) and the
metadata service (no libvirt) can use it.
"""
_DEVICE_NAME_MAX = 15  # IFNAMSIZ - 1


def tap_name(port_id):
    """``tap<port id[:11]>``."""
    return ('tap' + port_id[:11])[:_DEVICE_NAME_MAX]


def bridge_name(network_id):
    """``brq<network id[:11]>``."""
    return ('brq' + network_id[:11])[:_DEVICE_NAME_MAX]
