"""Security groups on the real kernel: iptables chains between "guest" namespaces on a bridge.

Each test runs in a private network namespace of its own (the test thread
enters it with setns): the firewall's iptables commands change that
namespace's filter table, never the machine's, where a deployed agent may
keep its own ``stratus-sg-*`` chains.  In it, a bridge joins "guests":
namespaces whose ``eth0`` is the peer of a veth named like a guest's tap
(``tap`` + 11 characters of its port id).  Traffic is busybox ping and
Python TCP clients and servers.  Runs as root; a missing iptables, busybox
or physdev/conntrack match fails the test.
"""
import ctypes
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from network.agent import firewall
from network.agent import ip_lib

_CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL(None, use_errno=True)

# Listens on the ports of its arguments (IPv4 and IPv6), echoes what it gets.
SERVER = """
import socket, sys, threading
def echo(conn):
    with conn:
        while data := conn.recv(100):
            conn.sendall(data)
def listen(sock):
    while True:
        threading.Thread(target=echo, args=(sock.accept()[0],), daemon=True).start()
for port in sys.argv[1:]:
    sock = socket.socket(socket.AF_INET6)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('::', int(port)))
    sock.listen()
    threading.Thread(target=listen, args=(sock,)).start()
print('ready', flush=True)
"""
# Connects (from argv[3] when given) and exchanges one byte; exit status 0 means it worked.
CONNECT = """
import socket, sys
source = (sys.argv[3], 0) if len(sys.argv) > 3 else None
with socket.create_connection((sys.argv[1], int(sys.argv[2])), 1.5, source) as sock:
    sock.sendall(b'x')
    sys.exit(0 if sock.recv(1) == b'x' else 1)
"""
# Keeps one connection: every line of stdin is sent and its echo printed.
SESSION = """
import socket, sys
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)
sock.settimeout(2)
print('connected', flush=True)
for line in sys.stdin:
    sock.sendall(line.encode())
    print(sock.recv(100).decode().strip() or 'closed', flush=True)
"""


def _setns(fd):
    if _LIBC.setns(fd, _CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _serve(namespace, ports):
    server = subprocess.Popen(['ip', 'netns', 'exec', namespace, sys.executable, '-c', SERVER,
                               *map(str, ports)], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == 'ready'
    return server


def _ns(name, *cmd, **kwargs):
    return subprocess.run(['ip', 'netns', 'exec', name, *cmd], capture_output=True, text=True,
                          **kwargs)


class Guest:
    """A namespace with ``eth0`` in the lab's bridge, addressed as the port it plays."""

    def __init__(self, lab, index):
        self.port_id = str(uuid.uuid4())
        self.tap = f'tap{self.port_id[:11]}'
        self.ns = f'{lab.prefix}g{index}'
        self.mac = f'fa:16:3e:{secrets.token_hex(1)}:{secrets.token_hex(1)}:{index:02x}'
        self.ip = f'10.90.0.{10 + index}'
        self.ip6 = f'fd00:90::{10 + index}'
        self.processes = []
        ip_lib.ensure_namespace(self.ns)
        ip_lib.run(['ip', 'link', 'add', self.tap, 'type', 'veth', 'peer', 'name', 'eth0',
                    'netns', self.ns])
        ip_lib.run(['ip', 'link', 'set', 'eth0', 'address', self.mac, 'up'], namespace=self.ns)
        ip_lib.run(['ip', 'addr', 'add', f'{self.ip}/24', 'dev', 'eth0'], namespace=self.ns)
        ip_lib.run(['ip', '-6', 'addr', 'add', f'{self.ip6}/64', 'dev', 'eth0', 'nodad'],
                   namespace=self.ns)
        ip_lib.run(['ip', 'link', 'set', self.tap, 'master', lab.bridge, 'up'])

    def port(self, group_ids, **changes):
        return {'id': self.port_id, 'network_id': 'net', 'project_id': 'p',
                'mac_address': self.mac, 'device_id': 'vm', 'device_owner': 'compute:nova',
                'admin_state_up': True, 'port_security_enabled': True,
                'fixed_ips': [{'subnet_id': 's4', 'ip_address': self.ip},
                              {'subnet_id': 's6', 'ip_address': self.ip6}],
                'allowed_address_pairs': [], 'security_group_ids': list(group_ids),
                'tap': self.tap, 'bridge': 'br', **changes}

    def serve(self, *ports):
        self.processes.append(_serve(self.ns, ports))

    def connects(self, address, port, source=None):
        return _ns(self.ns, sys.executable, '-c', CONNECT, address, str(port),
                   *([source] if source else [])).returncode == 0

    def pings(self, address):
        return _ns(self.ns, 'busybox', 'ping', '-c', '1', '-W', '1', address).returncode == 0

    def session(self, address, port):
        client = subprocess.Popen(['ip', 'netns', 'exec', self.ns, sys.executable, '-c', SESSION,
                                   address, str(port)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.processes.append(client)
        assert client.stdout.readline().strip() == 'connected'
        return client


def _exchange(session, text):
    session.stdin.write(text + '\n')
    session.stdin.flush()
    return session.stdout.readline().strip()


class Lab:
    """A private "host" namespace (entered by the test thread) with a bridge and guests."""

    def __init__(self):
        self.prefix = f't{secrets.token_hex(3)}'
        self.host = f'{self.prefix}h'
        self.bridge = f'{self.prefix}br'
        self.guests = []
        self.processes = []
        ip_lib.ensure_namespace(self.host)
        self._home = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
        host = os.open(f'/run/netns/{self.host}', os.O_RDONLY)
        try:
            _setns(host)
        finally:
            os.close(host)
        ip_lib.ensure_bridge(self.bridge)

    def serve_on_bridge(self, address, *ports):
        """The host itself (its bridge address) answering on ``ports``."""
        ip_lib.set_addresses(self.bridge, [address])
        self.processes.append(_serve(self.host, ports))

    def guest(self):
        guest = Guest(self, len(self.guests) + 1)
        self.guests.append(guest)
        return guest

    def destroy(self):
        for guest in [self, *self.guests]:
            for process in guest.processes:
                process.kill()
                process.communicate()  # reaps it and closes its pipes
        _setns(self._home)
        os.close(self._home)
        for name in [guest.ns for guest in self.guests] + [self.host]:
            ip_lib.delete_namespace(name)

    def save(self, tool='iptables-save'):
        return ip_lib.run([tool, '-t', 'filter'])


@pytest.fixture
def lab():
    if os.geteuid() != 0:
        pytest.fail('the firewall functional tests need root (namespaces, iptables)')
    for tool in ('iptables-restore', 'ip6tables-restore', 'busybox', 'ip'):
        if shutil.which(tool) is None:
            pytest.fail(f'{tool} is not installed (Debian: iptables, busybox-static, iproute2)')
    lab = Lab()
    try:
        yield lab
    finally:
        lab.destroy()


def _group(group_id, rules, members=(), members6=(), stateful=True):
    full = [{'id': f'{group_id}-{n}', 'direction': 'ingress', 'ethertype': 'IPv4',
             'protocol': None, 'port_range_min': None, 'port_range_max': None,
             'remote_ip_prefix': None, 'remote_group_id': None, **rule}
            for n, rule in enumerate(rules)]
    return {'id': group_id, 'project_id': 'p', 'stateful': stateful, 'rules': full,
            'member_ips': {'IPv4': list(members), 'IPv6': list(members6)}}


EGRESS_ALL = [{'direction': 'egress'}, {'direction': 'egress', 'ethertype': 'IPv6'}]


def _state(ports, groups):
    return {'host': 'h', 'networks': {}, 'ports': {port['id']: port for port in ports},
            'security_groups': {group['id']: group for group in groups}, 'dhcp': {},
            'routers': {}}


@pytest.fixture
def trio(lab):
    """Guests a (group "client"), b (group "web") and c (group "other").

    web: SSH and ICMP from anywhere, TCP 80 from members of "client" only,
    ICMPv6 and TCP 22 over IPv6.  client and other: egress only.
    """
    a, b, c = lab.guest(), lab.guest(), lab.guest()
    b.serve(22, 23, 80)
    web = _group('web', EGRESS_ALL + [
        {'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22},
        {'protocol': 'icmp', 'remote_ip_prefix': '0.0.0.0/0'},
        {'protocol': '6', 'port_range_min': 80, 'port_range_max': 80,
         'remote_group_id': 'client'},
        {'protocol': 'ipv6-icmp', 'ethertype': 'IPv6'},
        {'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22, 'ethertype': 'IPv6'}])
    groups = [web, _group('client', EGRESS_ALL, members=[a.ip]),
              _group('other', EGRESS_ALL, members=[c.ip])]
    ports = [a.port(['client']), b.port(['web']), c.port(['other'])]
    return a, b, c, ports, groups


def test_rules_allow_and_refuse_icmp_and_tcp(lab, trio):
    a, b, c, ports, groups = trio
    fw = firewall.Firewall(None, None)
    assert a.connects(b.ip, 23)  # nothing filters yet
    fw.sync(_state(ports, groups))
    assert a.pings(b.ip)
    assert not b.pings(a.ip)  # "client" allows no ingress
    assert a.connects(b.ip, 22)
    assert not a.connects(b.ip, 23)
    # Remote group: TCP 80 from members of "client" only.
    assert a.connects(b.ip, 80)
    assert not c.connects(b.ip, 80)
    assert c.connects(b.ip, 22)
    # IPv6 alike, neighbour discovery included.
    assert _ns(a.ns, 'busybox', 'ping', '-6', '-c', '1', '-W', '2', b.ip6).returncode == 0
    assert a.connects(b.ip6, 22)
    assert not a.connects(b.ip6, 80)


def test_spoofed_source_ip_and_mac_are_dropped(lab, trio):
    a, b, c, ports, groups = trio
    firewall.Firewall(None, None).sync(_state(ports, groups))
    ip_lib.run(['ip', 'addr', 'add', '10.90.0.99/24', 'dev', 'eth0'], namespace=a.ns)
    assert a.connects(b.ip, 22, source=a.ip)
    assert not a.connects(b.ip, 22, source='10.90.0.99')
    # Traffic to the host itself crosses the same check (INPUT).
    lab.serve_on_bridge('10.90.0.1/24', 8080)
    assert a.connects('10.90.0.1', 8080, source=a.ip)
    assert not a.connects('10.90.0.1', 8080, source='10.90.0.99')
    ip_lib.run(['ip', 'link', 'set', 'eth0', 'address', 'fa:16:3e:99:99:99'], namespace=a.ns)
    assert not a.connects(b.ip, 22, source=a.ip)
    assert not a.connects('10.90.0.1', 8080, source=a.ip)


def test_allowed_address_pair_passes_the_source_check(lab, trio):
    a, b, c, ports, groups = trio
    ports[0]['allowed_address_pairs'] = [{'ip_address': '10.90.0.128/25'}]
    firewall.Firewall(None, None).sync(_state(ports, groups))
    ip_lib.run(['ip', 'addr', 'add', '10.90.0.200/24', 'dev', 'eth0'], namespace=a.ns)
    assert a.connects(b.ip, 22, source='10.90.0.200')


def test_removed_rule_blocks_new_connections_but_not_established_ones(lab, trio):
    a, b, c, ports, groups = trio
    fw = firewall.Firewall(None, None)
    fw.sync(_state(ports, groups))
    session = a.session(b.ip, 22)
    assert _exchange(session, 'hello') == 'hello'
    web = groups[0]
    web['rules'] = [rule for rule in web['rules']
                    if not (rule['protocol'] == 'tcp' and rule['ethertype'] == 'IPv4')]
    started = time.monotonic()
    fw.sync(_state(ports, groups))
    assert time.monotonic() - started < 2
    assert not a.connects(b.ip, 22)
    assert _exchange(session, 'still there') == 'still there'


def test_port_security_off_and_admin_down(lab, trio):
    a, b, c, ports, groups = trio
    fw = firewall.Firewall(None, None)
    a.serve(4)
    fw.sync(_state(ports, groups))
    assert not b.connects(a.ip, 4)  # "client" allows no ingress
    ports[0] = a.port(['client'], port_security_enabled=False)
    fw.sync(_state(ports, groups))
    assert b.connects(a.ip, 4)  # unfiltered port: reachable on any port
    assert not a.connects(b.ip, 23)  # b's own filter still applies to a's traffic
    ports[2] = c.port(['other'], admin_state_up=False)
    fw.sync(_state(ports, groups))
    assert not c.connects(b.ip, 22)
    assert not c.pings(b.ip)


def test_stateless_group_needs_rules_for_return_traffic(lab, trio):
    a, b, c, ports, groups = trio
    groups[1]['stateful'] = False  # "client": egress only, no conntrack
    fw = firewall.Firewall(None, None)
    fw.sync(_state(ports, groups))
    assert not a.connects(b.ip, 22)  # the SYN-ACK is not let in
    groups[1]['rules'].append({**groups[1]['rules'][0], 'id': 'back', 'direction': 'ingress',
                               'protocol': 'tcp'})
    fw.sync(_state(ports, groups))
    assert a.connects(b.ip, 22)


def test_cleanup_removes_the_chains_of_gone_ports(lab, trio):
    a, b, c, ports, groups = trio
    fw = firewall.Firewall(None, None)
    fw.sync(_state(ports, groups))
    for tool in ('iptables-save', 'ip6tables-save'):
        saved = lab.save(tool)
        assert f':{firewall.chain_name("i", b.port_id)} ' in saved
        assert '-A FORWARD -j stratus-sg-FORWARD' in saved
    # A new agent process, c gone: c's chains go, the others stay.
    survivor = firewall.Firewall(None, None)
    state = _state(ports[:2], groups)
    survivor.sync(state)
    survivor.cleanup(state)
    saved = lab.save()
    assert firewall.chain_name('o', c.port_id) not in saved
    assert firewall.chain_name('o', b.port_id) in saved
    assert saved.count('-A FORWARD -j stratus-sg-FORWARD') == 1
    assert a.connects(b.ip, 22) and not a.connects(b.ip, 23)
    # A jump removed by hand comes back at the next cleanup.
    ip_lib.run(['iptables', '-D', 'FORWARD', '-j', 'stratus-sg-FORWARD'])
    survivor.cleanup(state)
    assert not a.connects(b.ip, 23)
    # No port left: nothing of ours is left.
    survivor.cleanup(_state([], []))
    for tool in ('iptables-save', 'ip6tables-save'):
        assert 'stratus-' not in lab.save(tool)
    assert a.connects(b.ip, 23)


def test_unchanged_state_runs_no_command(lab, trio, monkeypatch):
    a, b, c, ports, groups = trio
    fw = firewall.Firewall(None, None)
    fw.sync(_state(ports, groups))
    calls = []
    monkeypatch.setattr(ip_lib, 'run', lambda *args, **kwargs: calls.append(args))
    fw.sync(_state(ports, groups))
    assert calls == []
