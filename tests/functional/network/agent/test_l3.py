"""Routers on the real kernel: namespaces, veths, NAT and routes, with real traffic.

Each test builds its own world with names no one else uses (``t`` + 6 hex
digits): three bridges (two tenant networks and an "external" one), a
guest namespace on each tenant network, an "external host" namespace on
the external bridge, and a router between them made by ``l3.Routers`` from
a host state.  Traffic goes between these namespaces only.  Everything is
removed afterwards, whatever the outcome.
"""
import dataclasses
import os
import secrets
import subprocess
import sys

import pytest
from oslo_config import cfg

from network.agent import ip_lib
from network.agent import l3
from network.agent import opts

EXT_HOST = '172.31.77.1'
GATEWAY_IP = '172.31.77.10'
FLOATING_IP = '172.31.77.50'
GUEST_A = '10.77.1.5'
GUEST_B = '10.77.2.5'

# One TCP connection accepted, the peer's address printed: what a server sees.
_LISTENER = """
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('0.0.0.0', int(sys.argv[1])))
server.listen()
print('ready', flush=True)
server.settimeout(15)
conn, peer = server.accept()
print(peer[0], flush=True)
conn.close()
"""
_CONNECT = """
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
"""


def _in(namespace, *cmd, check=True):
    return subprocess.run(['ip', 'netns', 'exec', namespace, *cmd], capture_output=True,
                          text=True, check=check)


def _exists(device):
    return os.path.exists(f'/sys/class/net/{device}')


@dataclasses.dataclass
class World:
    token: str
    routers: l3.Routers
    router: dict
    guest_a: str
    guest_b: str
    external: str

    @property
    def namespace(self):
        return self.router['namespace']

    def sync(self):
        self.routers.sync(self.state())

    def state(self, routers=True):
        return {'host': 'test', 'networks': {}, 'ports': {}, 'security_groups': {},
                'dhcp': {}, 'routers': {self.router['id']: self.router} if routers else {},
                'metadata': {'host': '127.0.0.1', 'port': 8775, 'shared_secret': 's'}}

    def host_ends(self):
        ports = ([i['port_id'] for i in self.router['interfaces']] +
                 [self.router['gateway']['port_id']])
        return [f'tap{port_id[:11]}' for port_id in ports]

    def ping(self, namespace, address):
        return _in(namespace, 'busybox', 'ping', '-c', '1', '-W', '2', address,
                   check=False).returncode == 0

    def seen_source(self, server_ns, client_ns, address, port=8000, listen_port=None,
                    timeout=3):
        """The source address a listener in ``server_ns`` (on ``listen_port``, by
        default ``port``) sees when ``client_ns`` connects to ``address:port``;
        None when the connection fails."""
        with subprocess.Popen(['ip', 'netns', 'exec', server_ns, sys.executable, '-c',
                               _LISTENER, str(listen_port or port)],
                              stdout=subprocess.PIPE, text=True) as listener:
            try:
                assert listener.stdout.readline().strip() == 'ready'
                if not self.connects(client_ns, address, port, timeout):
                    return None
                return listener.stdout.readline().strip()
            finally:
                listener.kill()

    @staticmethod
    def connects(namespace, address, port, timeout=3):
        return _in(namespace, sys.executable, '-c', _CONNECT, address, str(port), str(timeout),
                   check=False).returncode == 0


def _guest(namespace, veth, bridge, cidr, gateway):
    """A namespace standing for a guest (or the external host) on ``bridge``."""
    ip_lib.ensure_namespace(namespace)
    ip_lib.run(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0',
                'netns', namespace])
    ip_lib.run(['ip', 'link', 'set', veth, 'master', bridge, 'up'])
    ip_lib.run(['ip', 'addr', 'add', cidr, 'dev', 'eth0'], namespace=namespace)
    ip_lib.run(['ip', 'link', 'set', 'eth0', 'up'], namespace=namespace)
    if gateway:
        ip_lib.run(['ip', 'route', 'add', 'default', 'via', gateway], namespace=namespace)


def _router(token):
    def interface(suffix, bridge, subnet):
        return {'port_id': f'{token}{suffix}-0000-4000-8000-000000000000',
                'mac_address': f'fa:16:3e:{token[1:3]}:{token[3:5]}:{suffix[-2:]}',
                'network_id': f'net-{suffix}', 'bridge': bridge, 'mtu': 1500,
                'fixed_ips': [{'subnet_id': f'sub-{suffix}', 'ip_address': f'10.77.{subnet}.1',
                               'prefixlen': 24, 'cidr': f'10.77.{subnet}.0/24'}]}
    router_id = f'{token}-0000-4000-8000-000000000000'
    return {
        'id': router_id, 'project_id': 'p', 'admin_state_up': True,
        'namespace': l3.namespace_name(router_id), 'enable_snat': True,
        'gateway': {'port_id': f'{token}pg00-0000-4000-8000-000000000000',
                    'mac_address': f'fa:16:3e:{token[1:3]}:{token[3:5]}:99',
                    'network_id': 'ext', 'bridge': f'{token}x', 'mtu': 1500,
                    'fixed_ips': [{'subnet_id': 'sub-ext', 'ip_address': GATEWAY_IP,
                                   'prefixlen': 24}],
                    'gateway_ips': [EXT_HOST]},
        'interfaces': [interface('pa01', f'{token}a', 1), interface('pb02', f'{token}b', 2)],
        'routes': [],
        'floating_ips': [{'id': 'fip', 'floating_ip_address': FLOATING_IP,
                          'fixed_ip_address': GUEST_A, 'port_id': 'guest-a-port'}],
        'instances': {},
    }


@pytest.fixture
def world():
    token = 't' + secrets.token_hex(3)
    conf = cfg.ConfigOpts()
    opts.register_opts(conf)
    conf([])
    bridges = [f'{token}{n}' for n in 'abx']
    guests = [f'{token}-ga', f'{token}-gb', f'{token}-ext']
    router = _router(token)
    try:
        for bridge in bridges:
            ip_lib.ensure_bridge(bridge)
        _guest(guests[0], f'{token}va', bridges[0], f'{GUEST_A}/24', '10.77.1.1')
        _guest(guests[1], f'{token}vb', bridges[1], f'{GUEST_B}/24', '10.77.2.1')
        _guest(guests[2], f'{token}vx', bridges[2], f'{EXT_HOST}/24', None)
        yield World(token, l3.Routers(conf, '/nonexistent', namespace_prefix=f'qrouter-{token}'),
                    router, *guests)
    finally:
        for namespace in guests + [router['namespace']]:
            ip_lib.delete_namespace(namespace)
        for device in os.listdir('/sys/class/net'):
            if token in device:
                ip_lib.delete_device(device)


def test_guests_on_two_subnets_reach_each_other_routed_not_natted(world):
    world.sync()
    assert world.ping(world.guest_a, GUEST_B)
    assert world.ping(world.guest_b, GUEST_A)
    assert world.seen_source(world.guest_b, world.guest_a, GUEST_B) == GUEST_A


def test_router_devices_addresses_and_forwarding(world):
    world.sync()
    namespace = world.namespace
    qr = l3.internal_device(world.router['interfaces'][0]['port_id'])
    qg = l3.gateway_device(world.router['gateway']['port_id'])
    assert sorted(ip_lib.list_devices(namespace)) == sorted(
        ['lo', qr, l3.internal_device(world.router['interfaces'][1]['port_id']), qg])
    assert ip_lib.addresses(qr, namespace) == ['10.77.1.1/24']
    assert sorted(ip_lib.addresses(qg, namespace)) == [f'{GATEWAY_IP}/24', f'{FLOATING_IP}/32']
    assert world.router['interfaces'][0]['mac_address'] in _in(namespace, 'ip', 'link', 'show',
                                                                qr).stdout
    assert _in(namespace, 'sysctl', '-n', 'net.ipv4.ip_forward').stdout.strip() == '1'
    assert _in(namespace, 'sysctl', '-n', 'net.ipv6.conf.all.forwarding').stdout.strip() == '1'
    for host_end, bridge in zip(world.host_ends(), [f'{world.token}{n}' for n in 'abx']):
        assert host_end in ip_lib.bridge_ports(bridge)


def test_floating_ip_reaches_the_guest_which_leaves_with_it(world):
    world.sync()
    # From outside to the floating IP: the guest sees the real client address.
    assert world.seen_source(world.guest_a, world.external, FLOATING_IP) == EXT_HOST
    assert world.ping(world.external, FLOATING_IP)
    # From the guest outwards: it leaves with its floating IP.
    assert world.seen_source(world.external, world.guest_a, EXT_HOST) == FLOATING_IP


def test_guest_without_floating_ip_leaves_snatted_to_the_gateway(world):
    world.sync()
    assert world.seen_source(world.external, world.guest_b, EXT_HOST) == GATEWAY_IP


def test_guest_reaches_another_by_its_floating_ip(world):
    world.sync()
    # Hairpin: DNATed into the router and SNATed to the gateway so the reply returns.
    assert world.seen_source(world.guest_a, world.guest_b, FLOATING_IP) == GATEWAY_IP


def test_without_enable_snat_the_guest_leaves_with_its_own_address(world):
    world.router['enable_snat'] = False
    world.sync()
    # Without SNAT the outside must route the tenant addresses back to the router.
    _in(world.external, 'ip', 'route', 'add', '10.77.0.0/16', 'via', GATEWAY_IP)
    assert world.seen_source(world.external, world.guest_b, EXT_HOST) == GUEST_B
    assert world.seen_source(world.external, world.guest_a, EXT_HOST) == FLOATING_IP


def test_removing_the_floating_ip_removes_the_dnat(world):
    world.sync()
    assert world.ping(world.external, FLOATING_IP)
    world.router['floating_ips'] = []
    world.sync()
    qg = l3.gateway_device(world.router['gateway']['port_id'])
    assert ip_lib.addresses(qg, world.namespace) == [f'{GATEWAY_IP}/24']
    assert FLOATING_IP not in _in(world.namespace, 'iptables-save', '-t', 'nat').stdout
    assert not world.ping(world.external, FLOATING_IP)
    assert not world.connects(world.external, FLOATING_IP, 8000, timeout=1)
    assert world.seen_source(world.external, world.guest_a, EXT_HOST) == GATEWAY_IP


def test_metadata_requests_are_redirected_to_the_proxy_port(world):
    world.sync()
    # What listens on the proxy port of the router sees the guest's own address.
    assert world.seen_source(world.namespace, world.guest_a, l3.METADATA_ADDRESS, port=80,
                             listen_port=l3.METADATA_PROXY_PORT) == GUEST_A
    # The proxy cannot be reached from the external network.
    assert world.seen_source(world.namespace, world.external, GATEWAY_IP,
                             port=l3.METADATA_PROXY_PORT, timeout=1) is None


def test_static_and_default_routes_follow_the_state(world):
    world.router['routes'] = [{'destination': '192.168.77.0/24', 'nexthop': '10.77.2.7'}]
    world.sync()
    routes = _in(world.namespace, 'ip', 'route', 'show').stdout
    assert f'default via {EXT_HOST}' in routes
    assert '192.168.77.0/24 via 10.77.2.7' in routes
    world.router['routes'] = [{'destination': '192.168.78.0/24', 'nexthop': '10.77.1.9'}]
    world.router['gateway']['gateway_ips'] = []
    world.sync()
    routes = _in(world.namespace, 'ip', 'route', 'show').stdout
    assert 'default' not in routes and '192.168.77.0' not in routes
    assert '192.168.78.0/24 via 10.77.1.9' in routes
    assert '10.77.1.0/24 dev qr-' in routes  # connected routes are the kernel's, untouched


def test_admin_state_down_stops_forwarding(world):
    world.sync()
    assert world.ping(world.guest_a, GUEST_B)
    world.router['admin_state_up'] = False
    world.sync()
    assert not world.ping(world.guest_a, GUEST_B)
    world.router['admin_state_up'] = True
    world.sync()
    assert world.ping(world.guest_a, GUEST_B)


def test_an_interface_leaving_the_state_is_removed(world):
    world.sync()
    gone = world.router['interfaces'].pop(1)
    world.sync()
    assert l3.internal_device(gone['port_id']) not in ip_lib.list_devices(world.namespace)
    assert not _exists(f'tap{gone["port_id"][:11]}')
    assert not world.ping(world.guest_a, GUEST_B)


def test_unchanged_router_does_not_rewrite_iptables(world):
    world.sync()
    marker = ['iptables', '-t', 'nat', '-A', 'OUTPUT', '-d', '192.0.2.99/32', '-j', 'ACCEPT']
    _in(world.namespace, *marker)
    world.sync()
    assert '192.0.2.99' in _in(world.namespace, 'iptables-save', '-t', 'nat').stdout
    world.router['floating_ips'] = []
    world.sync()
    assert '192.0.2.99' not in _in(world.namespace, 'iptables-save', '-t', 'nat').stdout


def test_cleanup_leaves_no_namespace_or_veth(world):
    world.sync()
    world.routers.cleanup(world.state())
    assert ip_lib.namespace_exists(world.namespace)  # still wanted: kept
    world.routers.cleanup(world.state(routers=False))
    assert not ip_lib.namespace_exists(world.namespace)
    assert [end for end in world.host_ends() if _exists(end)] == []
    # A new sync after cleanup starts from scratch (nothing cached survives).
    world.sync()
    assert world.ping(world.guest_a, GUEST_B)


def test_cleanup_removes_host_ends_of_a_namespace_kept_alive_without_a_name(world):
    namespace, host_end = f'{world.token}-orph', f'tap{world.token}orph'
    ip_lib.ensure_namespace(namespace)
    ip_lib.run(['ip', 'link', 'add', host_end, 'type', 'veth', 'peer', 'name', 'qr-x',
                'netns', namespace])
    holder = subprocess.Popen(['ip', 'netns', 'exec', namespace, 'sleep', '60'])
    try:
        ip_lib.run(['ip', 'netns', 'delete', namespace])  # the sleeper keeps it alive
        assert _exists(host_end)
        world.routers.cleanup(world.state(routers=False))
        assert not _exists(host_end)
    finally:
        holder.kill()
        holder.wait()
