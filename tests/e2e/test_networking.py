"""Real guests on real networks: DHCP, routing, floating IPs, metadata, security groups.

On the running all-in-one (the network agent of this host wires
everything), with openstacksdk as users of two projects:

* project demo: a network with a subnet, a router to the external network
  ``public``, a security group allowing SSH and ICMP in, and two guests with
  floating IPs, no config drive: their SSH key can only come from the
  metadata service (169.254.169.254, through the router's proxy);
* another project: a network of its own behind its own router, and a
  guest there.

The tests then look from the host (SSH to floating IPs over the host-only
external bridge) and from inside the guests (ping, wget), and at the end
delete everything and look at the host for what is left.
"""
import os
import re
import subprocess
import tempfile
import time
import uuid

import pytest

from tests.e2e.conftest import GUEST_IMAGE

BOOT_WAIT = 300  # seconds to ACTIVE, a banner or SSH: guests are emulated (TCG)
RULE_WAIT = 10  # seconds for a security group change to reach the guests (the issue: 2 s)
DEMO_CIDR = '10.77.0.0/26'
OTHER_CIDR = '10.78.0.0/26'
SSH_OPTIONS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR']


def ssh(guest, command, timeout=60):
    """Run ``command`` on ``guest`` as root over SSH to its floating IP."""
    return subprocess.run(['ssh', *SSH_OPTIONS, '-i', guest.key_file,
                           f'root@{guest.floating_ip}', command],
                          capture_output=True, text=True, timeout=timeout)


def wait_ssh(guest):
    deadline = time.monotonic() + BOOT_WAIT
    while True:
        result = ssh(guest, 'true', timeout=30)
        if result.returncode == 0:
            return
        assert time.monotonic() < deadline, (
            f'no SSH login to {guest.name} at {guest.floating_ip} after {BOOT_WAIT} s: '
            f'{result.stderr.strip()}\nconsole:\n{guest.console()[-3000:]}')
        time.sleep(3)


class Guest:
    """A server with its key, fixed and floating IP, as the test made it."""

    def __init__(self, conn, server, key_file, fixed_ip, floating_ip):
        self.conn = conn
        self.server = server
        self.name = server.name
        self.key_file = key_file
        self.fixed_ip = fixed_ip
        self.floating_ip = floating_ip

    def console(self):
        return self.conn.compute.get_server_console_output(self.server)['output']


class Project:
    """One project's network, router, group, key and guests; everything it made, to delete."""

    def __init__(self, conn, name, cidr, external, image, flavor, workdir):
        self.conn = conn
        self.made = []  # (kind, resource), deleted in reverse order
        self.guests = []
        self.workdir = workdir
        self.image, self.flavor = image, flavor
        net = conn.network
        self.network = self._made('network', net.create_network(name=f'{name}-net'))
        self.subnet = self._made('subnet', net.create_subnet(
            name=f'{name}-subnet', network_id=self.network.id, ip_version=4, cidr=cidr))
        self.router = self._made('router', net.create_router(
            name=f'{name}-router', external_gateway_info={'network_id': external.id}))
        net.add_interface_to_router(self.router, subnet_id=self.subnet.id)
        self.made.append(('interface', self.router))
        self.group = self._made('security_group', net.create_security_group(name=f'{name}-sg'))
        self.ssh_rule = net.create_security_group_rule(
            security_group_id=self.group.id, direction='ingress', ethertype='IPv4',
            protocol='tcp', port_range_min=22, port_range_max=22, remote_ip_prefix='0.0.0.0/0')
        net.create_security_group_rule(
            security_group_id=self.group.id, direction='ingress', ethertype='IPv4',
            protocol='icmp', remote_ip_prefix='0.0.0.0/0')
        self.keypair = self._made('keypair', conn.compute.create_keypair(name=f'{name}-key'))
        self.key_file = os.path.join(workdir, f'{name}.pem')
        with open(os.open(self.key_file, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as stream:
            stream.write(self.keypair.private_key)
        self.external = external

    def _made(self, kind, resource):
        self.made.append((kind, resource))
        return resource

    def boot(self, name):
        """A guest on the network with a floating IP (not waited for)."""
        server = self._made('server', self.conn.compute.create_server(
            name=name, image_id=self.image.id, flavor_id=self.flavor.id,
            networks=[{'uuid': self.network.id}], key_name=self.keypair.name,
            security_groups=[{'name': self.group.name}], config_drive=False))
        return server

    def ready(self, server):
        """Wait for ACTIVE, then give it a floating IP; a ``Guest``."""
        server = self.conn.compute.wait_for_server(server, wait=BOOT_WAIT)
        [port] = list(self.conn.network.ports(device_id=server.id))
        assert port.status == 'ACTIVE'
        fixed_ip = port.fixed_ips[0]['ip_address']
        fip = self._made('ip', self.conn.network.create_ip(
            floating_network_id=self.external.id, port_id=port.id))
        guest = Guest(self.conn, server, self.key_file, fixed_ip, fip.floating_ip_address)
        self.guests.append(guest)
        return guest

    def delete_all(self):
        net, compute = self.conn.network, self.conn.compute
        for kind, resource in reversed(self.made):
            if kind == 'server':
                compute.delete_server(resource, ignore_missing=True)
                compute.wait_for_delete(resource, wait=BOOT_WAIT)
            elif kind == 'keypair':
                compute.delete_keypair(resource, ignore_missing=True)
            elif kind == 'interface':
                if net.find_subnet(self.subnet.id, ignore_missing=True) is not None:
                    try:
                        net.remove_interface_from_router(resource, subnet_id=self.subnet.id)
                    except Exception:  # gone already
                        pass
            else:
                getattr(net, f'delete_{kind}')(resource, ignore_missing=True)
        self.made.clear()


@pytest.fixture(scope='module')
def admin(connect):
    return connect('stratus-admin')


@pytest.fixture(scope='module')
def other_project_conn(admin, connect):
    """openstacksdk as the member of a new project (deleted afterwards)."""
    suffix = uuid.uuid4().hex[:8]
    project = admin.identity.create_project(name=f'e2e-other-{suffix}', domain_id='default')
    password = uuid.uuid4().hex
    user = admin.identity.create_user(name=f'e2e-other-{suffix}', password=password,
                                      default_project_id=project.id, domain_id='default')
    role = admin.identity.find_role('member')
    admin.identity.assign_project_role_to_user(project, user, role)
    auth = dict(admin.config.auth, username=user.name, password=password,
                project_name=project.name)
    conn = connect('stratus', auth=auth)
    yield conn
    admin.identity.delete_user(user, ignore_missing=True)
    admin.identity.delete_project(project, ignore_missing=True)


@pytest.fixture(scope='module')
def world(member, other_project_conn, admin):
    """Both projects with their guests up (A and B of demo, C of the other project)."""
    image = member.image.find_image(GUEST_IMAGE, ignore_missing=False)
    flavor = member.compute.find_flavor('m1.nano', ignore_missing=False)
    external = admin.network.find_network('public', ignore_missing=False)
    suffix = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as workdir:
        demo = Project(member, f'e2e-demo-{suffix}', DEMO_CIDR, external, image, flavor,
                       workdir)
        other = None
        try:
            other = Project(other_project_conn, f'e2e-other-{suffix}', OTHER_CIDR, external,
                            image, flavor, workdir)
            servers = [demo.boot(f'e2e-a-{suffix}'), demo.boot(f'e2e-b-{suffix}'),
                       other.boot(f'e2e-c-{suffix}')]
            a, b = demo.ready(servers[0]), demo.ready(servers[1])
            c = other.ready(servers[2])
            for guest in (a, b, c):
                wait_ssh(guest)
            yield {'demo': demo, 'other': other, 'a': a, 'b': b, 'c': c}
        finally:
            if other is not None:
                other.delete_all()
            demo.delete_all()


def test_guests_get_their_addresses_by_dhcp(world):
    for guest in (world['a'], world['b'], world['c']):
        banners = re.findall(r'=== Stratus guest \S+ ready: (.*?) \(login', guest.console())
        assert banners and f'eth0 {guest.fixed_ip}' in banners[-1], (guest.name, banners)
        address = ssh(guest, 'ip -4 -o addr show dev eth0').stdout
        assert f' {guest.fixed_ip}/26 ' in address


def test_guests_on_one_network_reach_each_other(world):
    a, b = world['a'], world['b']
    result = ssh(a, f'ping -c 3 -W 2 {b.fixed_ip}')
    assert result.returncode == 0, result.stdout + result.stderr
    result = ssh(b, f'ping -c 3 -W 2 {a.fixed_ip}')
    assert result.returncode == 0, result.stdout + result.stderr


def test_key_and_metadata_come_from_the_metadata_service(world):
    a = world['a']
    assert not a.server.config_drive
    result = ssh(a, 'wget -q -O - http://169.254.169.254/openstack/latest/meta_data.json')
    assert result.returncode == 0, result.stderr
    assert a.server.id in result.stdout
    assert world['demo'].keypair.public_key.split()[1] in result.stdout


def test_another_projects_guest_cannot_reach_them(world):
    a, b, c = world['a'], world['b'], world['c']
    assert ssh(c, f'ping -c 3 -W 2 {world["other"].subnet.gateway_ip}').returncode == 0
    # Fixed addresses are private to their network: not through the routers...
    result = ssh(c, f'ping -c 3 -W 2 {a.fixed_ip}')
    assert result.returncode != 0, f'{c.name} reached {a.name}: {result.stdout}'
    result = ssh(a, f'ping -c 3 -W 2 {c.fixed_ip}')
    assert result.returncode != 0, f'{a.name} reached {c.name}: {result.stdout}'
    # ...not even with a route another project sets through demo's router.
    other = world['other']
    demo_gateway = world['demo'].conn.network.get_router(world['demo'].router.id)
    [gateway_ip] = [ip['ip_address'] for ip in
                    demo_gateway.external_gateway_info['external_fixed_ips']]
    other.conn.network.update_router(
        other.router, routes=[{'destination': DEMO_CIDR, 'nexthop': gateway_ip}])
    try:
        time.sleep(2)
        result = ssh(c, f'ping -c 3 -W 2 {b.fixed_ip}')
        assert result.returncode != 0, f'{c.name} reached {b.name}: {result.stdout}'
    finally:
        other.conn.network.update_router(other.router, routes=[])


def test_removing_the_ssh_rule_blocks_new_connections(world):
    a = world['a']
    demo = world['demo']
    demo.conn.network.delete_security_group_rule(demo.ssh_rule)
    deadline = time.monotonic() + RULE_WAIT
    while ssh(a, 'true', timeout=20).returncode == 0:
        assert time.monotonic() < deadline, f'SSH to {a.name} still works {RULE_WAIT} s later'
        time.sleep(0.5)
    # ICMP is still allowed: the guest is fine, only SSH is refused.
    ping = subprocess.run(['busybox', 'ping', '-c', '2', '-W', '2', a.floating_ip],
                          capture_output=True)
    assert ping.returncode == 0


def _host_leftovers(network_ids, router_ids, port_ids):
    """Namespaces, devices, dnsmasq processes and filter chains of these resources."""
    left = []
    namespaces = subprocess.run(['ip', 'netns', 'list'], capture_output=True,
                                text=True).stdout
    left += [f'namespace {ns}' for ns in re.findall(r'^(\S+)', namespaces, re.MULTILINE)
             if any(ns.endswith(i) for i in network_ids + router_ids)]
    devices = os.listdir('/sys/class/net')
    prefixes = [f'brq{i[:11]}' for i in network_ids] + [f'tap{i[:11]}' for i in port_ids]
    left += [f'device {d}' for d in devices if d in prefixes]
    processes = subprocess.run(['ps', '-eo', 'args'], capture_output=True, text=True).stdout
    left += [f'process {line[:120]}' for line in processes.splitlines()
             if 'dnsmasq' in line and any(i in line for i in network_ids)]
    for tool in ('iptables-save', 'ip6tables-save'):
        rules = subprocess.run([tool], capture_output=True, text=True).stdout
        left += [f'{tool}: {line}' for line in rules.splitlines()
                 if any(i[:10] in line for i in port_ids)]
    return left


def test_deleting_everything_leaves_nothing_on_the_host(world):
    projects = (world['demo'], world['other'])
    network_ids = [p.network.id for p in projects]
    router_ids = [p.router.id for p in projects]
    port_ids = []
    for project in projects:
        port_ids += [port.id for port in project.conn.network.ports(network_id=project.network.id)]
        port_ids += [port.id for port in project.conn.network.ports(device_id=project.router.id)]
    assert _host_leftovers(network_ids, router_ids, port_ids), 'nothing was wired at all'
    for project in projects:
        project.delete_all()
    deadline = time.monotonic() + 30
    while (left := _host_leftovers(network_ids, router_ids, port_ids)):
        assert time.monotonic() < deadline, f'left on the host 30 s after the deletes: {left}'
        time.sleep(1)
