"""openstacksdk, unmodified, against the all-in-one's network service.

The SDK appends ``/v2.0`` to the catalog URL (no version discovery),
switches features on ``/v2.0/extensions``, pages with ``<collection>_links``
and reads Neutron's fault bodies.  Whatever a test creates is deleted at the end,
also when it fails.
"""
import pytest
from openstack import exceptions as sdk_exc

from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD


@pytest.fixture(scope='module')
def conn(connect):
    return connect(MEMBER_CLOUD)


@pytest.fixture(scope='module')
def admin_conn(connect):
    return connect(ADMIN_CLOUD)


@pytest.fixture
def created(conn):
    """``created(resource)``: delete it (ports, subnets, networks, groups) at teardown,
    last created first."""
    resources = []
    yield lambda resource: resources.append(resource) or resource
    for resource in reversed(resources):
        kind = type(resource).__name__
        delete = {'Port': conn.network.delete_port, 'Subnet': conn.network.delete_subnet,
                  'Network': conn.network.delete_network,
                  'SecurityGroup': conn.network.delete_security_group}[kind]
        delete(resource, ignore_missing=True)


def test_extensions_name_what_is_implemented(conn):
    aliases = {e.alias for e in conn.network.extensions()}
    assert {'security-group', 'quotas', 'agent', 'binding', 'port-security',
            'external-net', 'allowed-address-pairs'} <= aliases
    assert conn.network.find_extension('security-group').alias == 'security-group'


def test_network_subnet_and_port_lifecycle(conn, created, unique_name):
    network = created(conn.network.create_network(name=unique_name('net')))
    assert (network.status, network.is_admin_state_up, network.is_shared) == (
        'ACTIVE', True, False)
    assert conn.network.find_network(network.name).id == network.id
    subnet = created(conn.network.create_subnet(network_id=network.id, ip_version=4,
                                                cidr='10.198.3.0/24', name=unique_name('sub')))
    assert (subnet.gateway_ip, subnet.is_dhcp_enabled) == ('10.198.3.1', True)
    assert subnet.allocation_pools == [{'start': '10.198.3.2', 'end': '10.198.3.254'}]

    ports = [created(conn.network.create_port(network_id=network.id,
                                              name=f'{unique_name("port")}-{i}'))
             for i in range(5)]
    addresses = [p.fixed_ips[0]['ip_address'] for p in ports]
    assert len(set(addresses)) == 5
    assert all(a.startswith('10.198.3.') for a in addresses)
    # Pages of two, followed through ports_links by the SDK.
    paged = list(conn.network.ports(network_id=network.id, limit=2))
    assert sorted(p.id for p in paged) == sorted(p.id for p in ports)
    by_name = [p.name for p in conn.network.ports(network_id=network.id, sort_key='name',
                                                  sort_dir='desc')]
    assert by_name == sorted((p.name for p in ports), reverse=True)

    port = conn.network.update_port(ports[0], name='renamed', description='sdk')
    assert (port.name, port.description) == ('renamed', 'sdk')
    assert conn.network.get_port(port.id).name == 'renamed'
    with pytest.raises(sdk_exc.ConflictException):
        conn.network.create_port(network_id=network.id,
                                 fixed_ips=[{'subnet_id': subnet.id,
                                             'ip_address': addresses[1]}])
    with pytest.raises(sdk_exc.ConflictException):
        conn.network.delete_subnet(subnet, ignore_missing=False)  # ports still use it
    for port in ports:
        conn.network.delete_port(port, ignore_missing=False)
    with pytest.raises(sdk_exc.NotFoundException):
        conn.network.get_port(ports[0].id)
    conn.network.delete_subnet(subnet, ignore_missing=False)
    conn.network.delete_network(network, ignore_missing=False)


def test_bad_input_is_a_clean_400(conn, created, unique_name):
    network = created(conn.network.create_network(name=unique_name('net')))
    with pytest.raises(sdk_exc.BadRequestException):
        conn.network.create_subnet(network_id=network.id, ip_version=4, cidr='10.0.0.0/33')
    with pytest.raises(sdk_exc.BadRequestException):
        conn.network.create_subnet(network_id=network.id, ip_version=6, cidr='10.0.0.0/24')


def test_security_group_and_rules(conn, created, unique_name):
    group = created(conn.network.create_security_group(name=unique_name('sg')))
    assert sorted((r['direction'], r['ethertype']) for r in group.security_group_rules) == [
        ('egress', 'IPv4'), ('egress', 'IPv6')]
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction='ingress', protocol='tcp', port_range_min=22,
        port_range_max=22, ether_type='IPv4', remote_ip_prefix='192.0.2.0/24')
    assert (rule.protocol, rule.port_range_min, rule.remote_ip_prefix) == (
        'tcp', 22, '192.0.2.0/24')
    with pytest.raises(sdk_exc.ConflictException):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction='ingress', protocol='tcp', port_range_min=22,
            port_range_max=22, ether_type='IPv4', remote_ip_prefix='192.0.2.0/24')
    rules = {r.id for r in conn.network.security_group_rules(security_group_id=group.id)}
    assert rule.id in rules and len(rules) == 3
    conn.network.delete_security_group_rule(rule, ignore_missing=False)
    conn.network.delete_security_group(group, ignore_missing=False)


def test_quotas_agents_and_zones(conn, admin_conn):
    project_id = conn.current_project_id
    quota = conn.network.get_quota(project_id)
    assert (quota.networks, quota.ports, quota.security_groups) == (100, 500, 10)
    details = conn.network.get_quota(project_id, details=True)
    assert details.ports['limit'] == 500 and details.ports['used'] >= 0
    assert isinstance(list(admin_conn.network.agents()), list)
    assert isinstance(list(conn.network.availability_zones()), list)
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.network.update_quota(project_id, ports=1000)
