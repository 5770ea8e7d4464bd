"""L2 on the real kernel: bridges, VXLAN with unicast flooding to peers, taps plugged, cleanup."""
import os
import subprocess
import uuid

import pytest
from oslo_config import cfg

from compute import device_names
from network.agent import ip_lib
from network.agent import l2
from network.agent import opts


def _exists(device):
    return os.path.exists(f'/sys/class/net/{device}')


@pytest.fixture
def bridges():
    conf = cfg.ConfigOpts()
    opts.register_opts(conf)
    conf([])
    return l2.Bridges(conf, '/nonexistent')


@pytest.fixture
def network():
    """A vxlan network of the state, with a VNI no one else uses; its devices removed after."""
    network_id = str(uuid.uuid4())
    vni = 16700000 + int(network_id[:4], 16)  # at most 16765535, below the VXLAN limit
    net = {'id': network_id, 'network_type': 'vxlan', 'segmentation_id': vni, 'mtu': 1450,
           'bridge': device_names.bridge_name(network_id), 'vxlan_peers': ['192.0.2.7']}
    yield net
    for device in (l2.vxlan_name(vni), net['bridge']):
        subprocess.run(['ip', 'link', 'del', device], capture_output=True)


@pytest.fixture
def tap():
    port_id = str(uuid.uuid4())
    name = device_names.tap_name(port_id)
    subprocess.run(['ip', 'tuntap', 'add', 'dev', name, 'mode', 'tap'], check=True)
    yield port_id, name
    subprocess.run(['ip', 'link', 'del', name], capture_output=True)


def _state(network, ports=()):
    return {'host': 'h', 'networks': {network['id']: network} if network else {},
            'ports': {p['id']: p for p in ports}, 'dhcp': {}, 'routers': {}}


def test_bridge_vxlan_and_flood_peers(bridges, network):
    bridges.sync(_state(network))
    vxlan = l2.vxlan_name(network['segmentation_id'])
    assert ip_lib.bridge_ports(network['bridge']) == [vxlan]
    details = ip_lib.run(['ip', '-d', 'link', 'show', vxlan])
    assert f'vxlan id {network["segmentation_id"]}' in details and 'mtu 1450' in details
    assert l2._fdb_peers(vxlan) == {'192.0.2.7'}
    network['vxlan_peers'] = ['192.0.2.8', '192.0.2.9']
    bridges.sync(_state(network))
    assert l2._fdb_peers(vxlan) == {'192.0.2.8', '192.0.2.9'}


def test_taps_and_veths_in_their_bridge_count_as_wired(bridges, network, tap):
    port_id, name = tap
    port = {'id': port_id, 'tap': name, 'bridge': network['bridge'], 'admin_state_up': True}
    missing = {'id': 'gone', 'tap': 'tapnotthere0', 'bridge': network['bridge'],
               'admin_state_up': True}
    state = _state(network, [port, missing])
    dhcp_port = str(uuid.uuid4())
    state['dhcp'] = {network['id']: {'port': {'id': dhcp_port}, 'bridge': network['bridge']}}
    state['routers'] = {'r': {'gateway': None, 'interfaces': [
        {'port_id': str(uuid.uuid4()), 'bridge': network['bridge']}]}}  # its veth is missing
    bridges.sync(state)
    assert name in ip_lib.bridge_ports(network['bridge'])
    assert bridges.wired(state) == {port_id}
    veth = device_names.tap_name(dhcp_port)
    subprocess.run(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', veth[:-1] + 'p'],
                   check=True)
    try:
        subprocess.run(['ip', 'link', 'set', veth, 'master', network['bridge']], check=True)
        assert bridges.wired(state) == {port_id, dhcp_port}
    finally:
        subprocess.run(['ip', 'link', 'del', veth], capture_output=True)


def test_cleanup_keeps_bridges_with_guests_and_removes_the_rest(bridges, network, tap,
                                                               monkeypatch):
    port_id, name = tap
    # Cleanup looks at every device of the host: let it see only this test's, so that
    # it leaves alone those of an all-in-one running on this machine.
    ours = {network['bridge'], l2.vxlan_name(network['segmentation_id']), name}
    listdir = os.listdir
    monkeypatch.setattr(l2.os, 'listdir', lambda path: (
        [d for d in listdir(path) if d in ours] if path == '/sys/class/net' else listdir(path)))
    port = {'id': port_id, 'tap': name, 'bridge': network['bridge'], 'admin_state_up': True}
    bridges.sync(_state(network, [port]))
    bridges.cleanup(_state(None))  # the network left the host, but a guest's tap is still in
    assert _exists(network['bridge'])
    subprocess.run(['ip', 'link', 'del', name], check=True)
    bridges.cleanup(_state(None))
    assert not _exists(network['bridge'])
    assert not _exists(l2.vxlan_name(network['segmentation_id']))
