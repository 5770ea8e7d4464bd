"""L2 of a host: a Linux bridge per network, VXLAN between hosts, taps wired.

As Neutron's Linux bridge agent: network ``N`` is bridge ``brq<N[:11]>``
(a flat network uses the host bridge its physical network is mapped to);
a ``vxlan`` network's bridge also holds ``vxlan-<VNI>``, a VXLAN device
that floods to the tunnel endpoints of the other hosts (unicast head-end
replication, one all-zero FDB entry per peer: no multicast needed).

The compute agent creates the taps of its guests' ports and puts them in
the bridge; this part makes sure they are there and up, and tells which
ports are wired (their tap exists in the right bridge).  Bridges and
VXLAN devices of networks that leave the host are removed once nothing
but our own devices is left in them.
"""
import logging
import os

from compute import device_names
from network.agent import ip_lib

LOG = logging.getLogger(__name__)
_VXLAN_PREFIX = 'vxlan-'
_BRIDGE_PREFIX = 'brq'


def vxlan_name(segmentation_id):
    return f'{_VXLAN_PREFIX}{segmentation_id}'


def _fdb_peers(device):
    """The tunnel endpoints the all-zero (flood) FDB entries of ``device`` point at."""
    out = ip_lib.run(['bridge', 'fdb', 'show', 'dev', device])
    return {line.split(' dst ')[1].split()[0] for line in out.splitlines()
            if line.startswith('00:00:00:00:00:00') and ' dst ' in line}


def list_taps():
    """Tap devices of this host (``tap…``), instance ports or not."""
    return {name for name in os.listdir('/sys/class/net') if name.startswith('tap')}


class Bridges:
    """The ``Part`` that owns bridges and VXLAN devices (see network/agent/manager.py)."""

    def __init__(self, conf, state_dir):
        self._local_ip = conf.agent.local_ip
        self._vxlan_port = conf.agent.vxlan_port
        self._mapped = set(conf.agent.bridge_mappings.values())

    def sync(self, host_state):
        for network in host_state['networks'].values():
            try:
                self._ensure_network(network)
            except ip_lib.CommandError as exc:
                LOG.error('Network %s: wiring bridge %s failed: %s', network['id'],
                          network['bridge'], exc)
        for port in host_state['ports'].values():
            try:
                self._plug(port)
            except ip_lib.CommandError as exc:
                LOG.error('Port %s: plugging %s into %s failed: %s', port['id'], port['tap'],
                          port['bridge'], exc)

    def _ensure_network(self, network):
        bridge = network['bridge']
        if bridge in self._mapped:  # a host bridge of the deployment: only used, never changed
            if not ip_lib.device_exists(bridge):
                LOG.error('Network %s: host bridge %s does not exist', network['id'], bridge)
            return
        ip_lib.ensure_bridge(bridge)
        if network['network_type'] == 'vxlan':
            self._ensure_vxlan(network)

    def _ensure_vxlan(self, network):
        device = vxlan_name(network['segmentation_id'])
        if not ip_lib.device_exists(device):
            ip_lib.run(['ip', 'link', 'add', device, 'type', 'vxlan',
                        'id', str(network['segmentation_id']), 'local', self._local_ip,
                        'dstport', str(self._vxlan_port), 'nolearning'])
            LOG.info('Network %s: created %s', network['id'], device)
        ip_lib.run(['ip', 'link', 'set', 'dev', device, 'mtu', str(network['mtu']),
                    'master', network['bridge'], 'up'])
        wanted = set(network.get('vxlan_peers') or [])
        present = _fdb_peers(device)
        for peer in sorted(wanted - present):
            ip_lib.run(['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', device,
                        'dst', peer])
        for peer in sorted(present - wanted):
            ip_lib.run(['bridge', 'fdb', 'del', '00:00:00:00:00:00', 'dev', device,
                        'dst', peer])

    @staticmethod
    def _plug(port):
        tap = port['tap']
        if not ip_lib.device_exists(tap):
            return  # not made yet by the compute agent: the tap poll wakes us when it is
        if tap not in ip_lib.bridge_ports(port['bridge']):
            ip_lib.run(['ip', 'link', 'set', 'dev', tap, 'master', port['bridge']])
            LOG.info('Port %s: plugged %s into %s', port['id'], tap, port['bridge'])
        ip_lib.run(['ip', 'link', 'set', 'dev', tap, 'up'])

    @staticmethod
    def wired(host_state):
        """Ids of the ports of this host whose device is in its bridge: instance ports
        (their tap) and the ports of the DHCP servers and routers (their veth's host end)."""
        devices = [(port_id, port['tap'], port['bridge'])
                   for port_id, port in host_state['ports'].items()]
        for dhcp in host_state['dhcp'].values():
            port_id = dhcp['port']['id']
            devices.append((port_id, device_names.tap_name(port_id), dhcp['bridge']))
        for router in host_state['routers'].values():
            for port in router['interfaces'] + ([router['gateway']] if router['gateway'] else []):
                devices.append((port['port_id'], device_names.tap_name(port['port_id']),
                                port['bridge']))
        return {port_id for port_id, tap, bridge in devices
                if tap in ip_lib.bridge_ports(bridge)}

    def cleanup(self, host_state):
        """Remove VXLAN devices and ``brq`` bridges of networks no longer on this host,
        once no device but our VXLAN one is left in them (a guest's tap keeps its bridge)."""
        wanted = {network['bridge'] for network in host_state['networks'].values()}
        wanted_vxlan = {vxlan_name(n['segmentation_id']) for n in host_state['networks'].values()
                        if n['network_type'] == 'vxlan'}
        for device in sorted(os.listdir('/sys/class/net')):
            if not device.startswith(_BRIDGE_PREFIX) or device in wanted:
                continue
            members = ip_lib.bridge_ports(device)
            if any(not member.startswith(_VXLAN_PREFIX) for member in members):
                continue
            try:
                for member in members:
                    ip_lib.delete_device(member)
                ip_lib.delete_device(device)
            except ip_lib.CommandError as exc:
                LOG.error('Removing bridge %s failed: %s', device, exc)
        for device in sorted(os.listdir('/sys/class/net')):
            if device.startswith(_VXLAN_PREFIX) and device not in wanted_vxlan:
                try:
                    ip_lib.delete_device(device)
                except ip_lib.CommandError as exc:
                    LOG.error('Removing %s failed: %s', device, exc)
