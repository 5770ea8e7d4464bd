"""A guest's NICs on the host: one tap device per port, in its network's bridge.

Names follow Neutron's linuxbridge agent (``compute.device_names``), so
that the network service's agent (security groups, DHCP) finds them: the
tap of port ``P`` is ``tap<P[:11]>`` and the bridge of network ``N`` is
``brq<N[:11]>`` (unless the port says which bridge, ``vif['bridge']``).
As os-vif does, the bridge is created when it does not exist yet; it is never removed
here (it belongs to the network, not to the guest).

The agent creates the taps itself and libvirt only opens them
(``<target managed='no'/>``), so a tap outlives a guest's restart and is
removed with the guest.
"""
import dataclasses
import logging
import os

from compute import device_names
from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import commands

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Vif:
    """One port of a guest, as the host wires it."""
    port_id: str
    network_id: str
    mac: str
    tap: str
    bridge: str


def bridge_name(vif):
    return vif.get('bridge') or device_names.bridge_name(vif['network_id'])


def from_network_info(network_info):
    """The ``Vif``s of ``network_info`` entries (``compute.network.network_info``)."""
    return [Vif(port_id=entry['port_id'], network_id=entry['network_id'], mac=entry['mac'],
                tap=device_names.tap_name(entry['port_id']), bridge=bridge_name(entry))
            for entry in network_info]


def _exists(device):
    return os.path.exists(f'/sys/class/net/{device}')


def _ensure_bridge(bridge):
    if not _exists(bridge):
        try:
            commands.run(['ip', 'link', 'add', bridge, 'type', 'bridge'],
                         f'Creating bridge {bridge}')
        except DriverError:
            if not _exists(bridge):  # not made meanwhile by a concurrent plug
                raise
        LOG.info('Created bridge %s', bridge)
    commands.run(['ip', 'link', 'set', bridge, 'up'], f'Bringing bridge {bridge} up')


def plug(vif):
    """Create ``vif``'s tap (if missing) and put it, up, in its bridge (created if missing).

    :raises DriverError: a device could not be made.
    """
    _ensure_bridge(vif.bridge)
    if not _exists(vif.tap):
        commands.run(['ip', 'tuntap', 'add', 'dev', vif.tap, 'mode', 'tap'],
                     f'Creating tap device {vif.tap}')
    commands.run(['ip', 'link', 'set', vif.tap, 'master', vif.bridge, 'up'],
                 f'Plugging tap device {vif.tap} into bridge {vif.bridge}')


def unplug(vif):
    """Remove ``vif``'s tap; succeeds when it is already gone."""
    if _exists(vif.tap):
        try:
            commands.run(['ip', 'link', 'del', vif.tap], f'Removing tap device {vif.tap}')
        except DriverError:
            if _exists(vif.tap):
                raise
