"""The DHCP part against real dnsmasq, namespaces and busybox ``udhcpc`` guests.

Each test builds its own bridge, its ``qdhcp-`` namespace (a fresh network
id) and "guest" namespaces whose ``eth0`` sits in the bridge, and removes
them all afterwards, even when it fails.  Runs as root; a missing dnsmasq
or busybox fails the test.
"""
import os
import secrets
import shutil
import signal
import tempfile
import time
import uuid

import pytest
from oslo_config import cfg

from network.agent import dhcp
from network.agent import ip_lib
from network.agent import opts

UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc calls this with the lease in its environment; print it, configure nothing.
[ "$1" = bound ] || exit 0
for name in ip subnet router dns domain mtu staticroutes hostname lease; do
    eval "echo $name=\\$$name"
done
"""


@pytest.fixture
def host():
    """Root, dnsmasq and busybox are what these tests run: their absence is a failure."""
    if os.geteuid() != 0:
        pytest.fail('the DHCP functional tests need root (namespaces, veth pairs, dnsmasq)')
    for tool in ('dnsmasq', 'busybox', 'ip'):
        if shutil.which(tool) is None:
            pytest.fail(f'{tool} is not installed '
                        '(Debian: dnsmasq-base, busybox-static, iproute2)')


class Lab:
    """One test's bridge, state directory, networks and guests (all removed by ``destroy``)."""

    def __init__(self, tmp_path):
        self.prefix = f't{secrets.token_hex(3)}'
        self.bridge = f'{self.prefix}br'
        self.state_dir = tempfile.mkdtemp(prefix='stratus-dhcp-')  # 0700, as the agent's
        self.network_ids = set()
        self.guests = []
        self.script = tmp_path / 'udhcpc.sh'
        self.script.write_text(UDHCPC_SCRIPT)
        self.script.chmod(0o755)
        ip_lib.ensure_bridge(self.bridge)

    def part(self, lease_duration=None):
        conf = cfg.ConfigOpts()
        opts.register_opts(conf)
        conf([], default_config_files=[])
        if lease_duration is not None:
            conf.set_override('dhcp_lease_duration', lease_duration, group=opts.AGENT_GROUP)
        return dhcp.Dhcp(conf, self.state_dir)

    def network(self, subnets, hosts, mtu=1400):
        """The ``dhcp`` entry of a new network; the DHCP port's address on each
        subnet is the subnet's ``dhcp_ip`` (a key of these tests only)."""
        network_id = str(uuid.uuid4())
        self.network_ids.add(network_id)
        port_id = str(uuid.uuid4())
        return {'network_id': network_id, 'namespace': dhcp.namespace_name(network_id),
                'bridge': self.bridge, 'mtu': mtu,
                'port': {'id': port_id, 'mac_address': 'fa:16:3e:00:00:02',
                         'fixed_ips': [{'subnet_id': s['id'], 'ip_address': s['dhcp_ip']}
                                       for s in subnets]},
                'subnets': subnets, 'hosts': hosts}

    def guest(self, mac):
        """A namespace whose ``eth0`` (with ``mac``) is in the bridge: a guest's NIC."""
        name = f'{self.prefix}g{len(self.guests)}'
        self.guests.append(name)
        ip_lib.ensure_namespace(name)
        ip_lib.ensure_veth(name, 'eth0', name, self.bridge, mac=mac)
        return name

    def lease(self, guest, attempts=5):
        """What ``udhcpc`` in ``guest`` got (``{variable: value}``), or None without a lease."""
        try:
            out = ip_lib.run(['busybox', 'udhcpc', '-i', 'eth0', '-f', '-q', '-n',
                              '-t', str(attempts), '-T', '1', '-A', '1',
                              '-O', 'staticroutes', '-s', str(self.script)], namespace=guest)
        except ip_lib.CommandError:
            return None
        return dict(line.split('=', 1) for line in out.splitlines() if '=' in line)

    def our_namespaces(self):
        """The host's namespaces that this test made (others are never touched)."""
        ours = {dhcp.namespace_name(network_id) for network_id in self.network_ids}
        return [name for name in self._all_namespaces() if name in ours]

    # Bound now: the ``lab`` fixture replaces ``ip_lib.list_namespaces`` with ``our_namespaces``.
    _all_namespaces = staticmethod(ip_lib.list_namespaces)

    def dnsmasq_pids(self):
        pids = []
        for entry in os.listdir('/proc'):
            try:
                with open(f'/proc/{entry}/cmdline', 'rb') as cmdline:
                    args = cmdline.read().decode().split('\0')
            except (FileNotFoundError, NotADirectoryError, ProcessLookupError):
                continue
            if args[0] == 'dnsmasq' and any(self.state_dir in arg for arg in args):
                pids.append(int(entry))
        return pids

    def destroy(self):
        for pid in self.dnsmasq_pids():
            os.kill(pid, signal.SIGKILL)
        for name in self.our_namespaces() + self.guests:
            ip_lib.delete_namespace(name)
        ip_lib.delete_device(self.bridge)
        shutil.rmtree(self.state_dir, ignore_errors=True)


@pytest.fixture
def lab(host, tmp_path, monkeypatch):
    built = Lab(tmp_path)
    # The part's cleanup removes every ``qdhcp-`` namespace it does not
    # serve; on a shared machine it must see only this test's own.
    monkeypatch.setattr(ip_lib, 'list_namespaces', built.our_namespaces)
    try:
        yield built
    finally:
        monkeypatch.undo()
        built.destroy()


def _subnet(cidr, gateway, dhcp_ip, dns=(), routes=()):
    return {'id': str(uuid.uuid4()), 'cidr': cidr, 'ip_version': 4, 'gateway_ip': gateway,
            'enable_dhcp': True, 'dns_nameservers': list(dns),
            'host_routes': [{'destination': d, 'nexthop': n} for d, n in routes],
            'allocation_pools': [], 'dhcp_ip': dhcp_ip}


def _host(mac, subnet, ip):
    return {'port_id': str(uuid.uuid4()), 'mac_address': mac, 'ip_address': ip,
            'subnet_id': subnet['id'], 'hostname': f'host-{ip.replace(".", "-")}'}


def _state(*networks):
    return {'dhcp': {network['network_id']: network for network in networks}}


def _pid(lab, network):
    with open(os.path.join(lab.state_dir, 'dhcp', network['network_id'], 'pid')) as pid_file:
        return int(pid_file.read())


def test_guest_gets_its_lease_and_a_new_port_is_served_without_restart(lab):
    subnet = _subnet('10.66.0.0/24', '10.66.0.1', '10.66.0.2',
                     routes=[('192.168.77.0/24', '10.66.0.254')])
    first = _host('fa:16:3e:00:00:05', subnet, '10.66.0.5')
    network = lab.network([subnet], [first])
    part = lab.part()
    part.sync(_state(network))

    guest = lab.guest(first['mac_address'])
    lease = lab.lease(guest)
    assert lease is not None, 'no DHCP lease for a known MAC'
    assert lease['ip'] == '10.66.0.5'
    assert lease['subnet'] == '255.255.255.0'
    assert lease['router'] == '10.66.0.1'
    assert lease['dns'] == '10.66.0.2'  # no dns_nameservers: dnsmasq itself
    assert lease['domain'] == 'openstacklocal'
    assert lease['hostname'] == 'host-10-66-0-5'
    assert lease['mtu'] == '1400'
    assert lease['lease'] == '86400'
    assert lease['staticroutes'].split() == ['192.168.77.0/24', '10.66.0.254',
                                            '0.0.0.0/0', '10.66.0.1']

    # dnsmasq answers DNS for the ports' names.
    ip_lib.set_addresses('eth0', ['10.66.0.5/24'], namespace=guest)
    answer = ip_lib.run(['busybox', 'nslookup', 'host-10-66-0-5.openstacklocal', '10.66.0.2'],
                        namespace=guest)
    assert '10.66.0.5' in answer.split('host-10-66-0-5.openstacklocal', 1)[1]

    # A MAC dnsmasq does not know gets nothing (static mode).
    stranger = lab.guest('fa:16:3e:00:00:06')
    assert lab.lease(stranger, attempts=2) is None

    # Its port appears: the files are rewritten, the same dnsmasq re-reads them.
    pid = _pid(lab, network)
    network['hosts'].append(_host('fa:16:3e:00:00:06', subnet, '10.66.0.6'))
    part.sync(_state(network))
    assert _pid(lab, network) == pid
    assert lab.lease(stranger)['ip'] == '10.66.0.6'
    assert lab.dnsmasq_pids() == [pid]


def test_process_is_restarted_when_dead_or_when_the_subnets_change(lab):
    subnet = _subnet('10.67.0.0/24', '10.67.0.1', '10.67.0.2')
    network = lab.network([subnet], [_host('fa:16:3e:00:01:05', subnet, '10.67.0.5')])
    part = lab.part(lease_duration=600)
    part.sync(_state(network))
    pid = _pid(lab, network)
    part.sync(_state(network))  # nothing changed: nothing done
    assert _pid(lab, network) == pid

    # The machine's session ended (processes killed): the next sync brings it back.
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pid in lab.dnsmasq_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    part.sync(_state(network))
    revived = _pid(lab, network)
    assert revived != pid and lab.dnsmasq_pids() == [revived]

    # A second subnet (no gateway, its own DNS servers) changes the command line.
    isolated = _subnet('10.68.0.0/24', None, '10.68.0.2', dns=['192.0.2.53', '192.0.2.54'])
    network['subnets'].append(isolated)
    network['port']['fixed_ips'].append({'subnet_id': isolated['id'],
                                         'ip_address': '10.68.0.2'})
    network['hosts'].append(_host('fa:16:3e:00:01:06', isolated, '10.68.0.6'))
    part.sync(_state(network))
    restarted = _pid(lab, network)
    assert restarted != revived and lab.dnsmasq_pids() == [restarted]

    lease = lab.lease(lab.guest('fa:16:3e:00:01:06'))
    assert lease['ip'] == '10.68.0.6'
    assert lease['router'] == ''
    assert lease['dns'].split() == ['192.0.2.53', '192.0.2.54']
    assert lease['lease'] == '600'
    assert lease['staticroutes'].split() == ['10.67.0.0/24', '0.0.0.0']
    assert lab.lease(lab.guest('fa:16:3e:00:01:05'))['ip'] == '10.67.0.5'

    # The DHCP port gets another address: dnsmasq must listen on it.
    network['port']['fixed_ips'][0]['ip_address'] = '10.67.0.3'
    part.sync(_state(network))
    assert _pid(lab, network) != restarted
    assert lab.lease(lab.guest('fa:16:3e:00:01:05'))['dns'] == '10.67.0.3'


def test_cleanup_removes_what_is_not_served_any_more(lab):
    kept_subnet = _subnet('10.69.0.0/24', '10.69.0.1', '10.69.0.2')
    kept = lab.network([kept_subnet], [])
    gone_subnet = _subnet('10.70.0.0/24', '10.70.0.1', '10.70.0.2')
    gone = lab.network([gone_subnet], [])
    part = lab.part()
    part.sync(_state(kept, gone))
    assert len(lab.dnsmasq_pids()) == 2
    gone_tap = dhcp.host_end(gone['port']['id'])
    assert ip_lib.device_exists(gone_tap)

    # A new life of the agent: it knows nothing but the state and its directory.
    lab.part().cleanup(_state(kept))
    assert lab.our_namespaces() == [kept['namespace']]
    assert lab.dnsmasq_pids() == [_pid(lab, kept)]
    assert not ip_lib.device_exists(gone_tap)
    assert sorted(os.listdir(os.path.join(lab.state_dir, 'dhcp'))) == [kept['network_id']]

    part.cleanup(_state())
    assert lab.our_namespaces() == []
    assert lab.dnsmasq_pids() == []
    assert os.listdir(os.path.join(lab.state_dir, 'dhcp')) == []


def test_a_failing_network_does_not_stop_the_others(lab):
    subnet = _subnet('10.71.0.0/24', '10.71.0.1', '10.71.0.2')
    broken = lab.network([_subnet('10.72.0.0/24', '10.72.0.1', '10.72.0.2')], [])
    broken['bridge'] = f'{lab.prefix}nobr'  # no such bridge: the veth cannot be plugged
    good = lab.network([subnet], [_host('fa:16:3e:00:02:05', subnet, '10.71.0.5')])
    lab.part().sync(_state(broken, good))
    assert lab.lease(lab.guest('fa:16:3e:00:02:05'))['ip'] == '10.71.0.5'

