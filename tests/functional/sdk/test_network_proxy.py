"""``conn.network`` against the real network API (found in the catalog) on every backend."""
import pytest

import stratus
from stratus import exceptions
from tests import servers
from tests.functional.sdk.conftest import unique


@pytest.fixture(scope='module')
def network_api(identity, database_backend, tmp_path_factory):
    """A network API listed in the session catalog as ``network`` (unversioned, as Neutron)."""
    directory = tmp_path_factory.mktemp(f'sdk-network-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.NetworkServer(str(directory), url, identity, workers=1,
                                       register_in_catalog=True).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def connect_as(identity, network_api, make_account):
    """``connect_as(account=None)``: a ``Connection`` of ``account`` (default: a member
    of a new project) whose catalog leads to ``network_api``."""
    opened = []

    def connect(account=None):
        account = account or make_account()
        conn = stratus.connect(auth_url=f'{identity.url}/v3', username=account.name,
                               password=account.password, project_id=account.project_id,
                               user_domain_name='Default', region_name='RegionOne')
        opened.append(conn)
        assert conn.network.base_url().rstrip('/') == network_api.url
        return conn

    yield connect
    for conn in opened:
        conn.close()


def test_network_subnet_ports_and_pages(connect_as):
    conn = connect_as()
    network = conn.network.create_network(name=unique('net'))
    assert conn.network.find_network(network.name).id == network.id
    subnet = conn.network.create_subnet(network=network, cidr='10.20.0.0/24', ip_version=4)
    assert subnet.gateway_ip == '10.20.0.1'
    ports = [conn.network.create_port(network=network, name=f'port-{i}') for i in range(5)]
    assert len({p.fixed_ips[0].ip_address for p in ports}) == 5
    paged = list(conn.network.ports(network_id=network.id, limit=2, sort_key='name'))
    assert [p.name for p in paged] == [f'port-{i}' for i in range(5)]
    by_id = list(conn.network.ports(id=[ports[0].id, ports[3].id]))
    assert sorted(p.id for p in by_id) == sorted([ports[0].id, ports[3].id])
    only_ids = list(conn.network.ports(network_id=network.id, fields='id'))
    assert all(set(p) == {'id'} for p in only_ids) and len(only_ids) == 5

    updated = conn.network.update_port(ports[0], name='renamed')
    assert conn.network.get_port(ports[0]).name == updated.name == 'renamed'
    with pytest.raises(exceptions.Conflict, match='in use|ports'):
        conn.network.delete_network(network, ignore_missing=False)
    for port in ports:
        conn.network.delete_port(port)
    conn.network.delete_port(ports[0])  # gone already: fine
    with pytest.raises(exceptions.NotFound):
        conn.network.delete_port(ports[0], ignore_missing=False)
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(network)
    assert conn.network.find_network(network.id, ignore_missing=True) is None


def test_a_bad_cidr_is_a_bad_request_with_neutrons_message(connect_as):
    conn = connect_as()
    network = conn.network.create_network(name=unique('net'))
    with pytest.raises(exceptions.BadRequest) as raised:
        conn.network.create_subnet(network=network, cidr='10.0.0.0/33', ip_version=4)
    assert raised.value.status_code == 400 and raised.value.message
    conn.network.delete_network(network)


def test_security_groups_and_rules(connect_as):
    conn = connect_as()
    default = conn.network.find_security_group('default')
    group = conn.network.create_security_group(name=unique('sg'))
    assert default.id != group.id
    rule = conn.network.create_security_group_rule(
        security_group=group, direction='ingress', ethertype='IPv4', protocol='tcp',
        port_range_min=22, port_range_max=22, remote_ip_prefix='0.0.0.0/0')
    assert conn.network.get_security_group_rule(rule).port_range_max == 22
    with pytest.raises(exceptions.Conflict):
        conn.network.create_security_group_rule(
            security_group=group, direction='ingress', ethertype='IPv4', protocol='tcp',
            port_range_min=22, port_range_max=22, remote_ip_prefix='0.0.0.0/0')
    listed = {r.id for r in conn.network.security_group_rules(security_group_id=group.id)}
    assert rule.id in listed
    conn.network.delete_security_group_rule(rule)
    conn.network.delete_security_group(group)
    assert conn.network.find_security_group(group.id, ignore_missing=True) is None


def test_another_projects_network_is_not_found(connect_as):
    owner, stranger = connect_as(), connect_as()
    network = owner.network.create_network(name=unique('net'))
    with pytest.raises(exceptions.NotFound):
        stranger.network.get_network(network)
    assert stranger.network.find_network(network.name, ignore_missing=True) is None
    with pytest.raises(exceptions.NotFound):
        stranger.network.create_port(network=network)
    owner.network.delete_network(network)


def test_quotas_extensions_and_admin_only_agents(connect_as, conn):
    member = connect_as()
    project_id = member.access.project_id
    assert member.network.get_quota(project_id).port == 500
    assert member.network.get_quota(project_id, details=True).port['limit'] == 500
    assert member.network.get_quota_default(project_id).network == 100
    aliases = {e.alias for e in member.network.extensions()}
    assert {'security-group', 'quotas', 'agent', 'binding'} <= aliases
    assert member.network.get_extension('quotas').alias == 'quotas'
    with pytest.raises(exceptions.Forbidden):
        list(member.network.agents())
    with pytest.raises(exceptions.Forbidden):
        member.network.update_quota(project_id, port=1)
    admin = conn  # the cloud admin
    assert admin.network.update_quota(project_id, port=7).port == 7
    assert member.network.get_quota(project_id).port == 7
    admin.network.delete_quota(project_id)
    assert member.network.get_quota(project_id).port == 500
    assert isinstance(list(admin.network.agents()), list)
    assert isinstance(list(member.network.availability_zones()), list)
