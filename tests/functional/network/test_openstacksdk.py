"""Unmodified openstacksdk and openstack CLI against the network API (found in the catalog)."""
import json
import os
import subprocess
import sys
import types

import openstack
import pytest

from tests import servers


def _connect(identity, account):
    return openstack.connect(
        auth_url=f'{identity.url}/v3', username=account.name, password=account.password,
        project_id=account.project_id, user_domain_name='Default', region_name='RegionOne')


@pytest.fixture
def member(identity, network, make_account):
    account = make_account(roles=('member', 'reader'))
    conn = _connect(identity, account)
    yield account, conn
    conn.close()


def test_sdk_networks_subnets_ports_security_groups(member):
    _, conn = member
    net = conn.network.create_network(name='sdk-net')
    assert net.mtu == 1450 and net.status == 'ACTIVE'
    subnet = conn.network.create_subnet(network_id=net.id, cidr='10.40.0.0/24', ip_version=4,
                                        name='sdk-sub')
    assert subnet.gateway_ip == '10.40.0.1'
    assert conn.network.find_network('sdk-net').id == net.id
    port = conn.network.create_port(network_id=net.id, name='sdk-port')
    assert port.fixed_ips[0]['subnet_id'] == subnet.id
    port = conn.network.update_port(port, name='renamed')
    assert [p.id for p in conn.network.ports(device_id='')] == [port.id]
    group = conn.network.create_security_group(name='sdk-sg', description='d')
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction='ingress', ethertype='IPv4', protocol='tcp',
        port_range_min=22, port_range_max=22, remote_ip_prefix='0.0.0.0/0')
    assert rule.port_range_min == 22
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction='ingress', ethertype='IPv4',
            protocol='tcp', port_range_min=22, port_range_max=22,
            remote_ip_prefix='0.0.0.0/0')
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.network.delete_network(net)
    conn.network.delete_port(port)
    conn.network.delete_network(net)
    assert conn.network.find_network('sdk-net') is None
    assert {e.alias for e in conn.network.extensions()} >= {'security-group', 'quotas'}


def test_sdk_paginates(member):
    _, conn = member
    ids = {conn.network.create_network(name=f'page-{i}').id for i in range(5)}
    listed = list(conn.network.networks(limit=2, paginated=True))
    assert {n.id for n in listed} >= ids and len(listed) == len({n.id for n in listed})


def _cli(identity, account, *args, output=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_AUTH_URL=f'{identity.url}/v3', OS_USERNAME=account.name,
               OS_PASSWORD=account.password, OS_PROJECT_ID=account.project_id,
               OS_USER_DOMAIN_NAME='Default', OS_REGION_NAME='RegionOne',
               OS_IDENTITY_API_VERSION='3', OS_INTERFACE='public')
    cli = os.path.join(os.path.dirname(sys.executable), 'openstack')
    result = subprocess.run([cli, *args, *(['-f', 'json'] if output else [])], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_cli_network_subnet_port_and_quota(identity, network, make_account):
    account = make_account(roles=('member', 'reader'))
    net = _cli(identity, account, 'network', 'create', 'cli-net')
    _cli(identity, account, 'subnet', 'create', '--network', 'cli-net', '--subnet-range',
         '10.50.0.0/24', 'cli-sub')
    port = _cli(identity, account, 'port', 'create', '--network', 'cli-net', 'cli-port')
    assert port['fixed_ips'][0]['ip_address'].startswith('10.50.0.')
    _cli(identity, account, 'port', 'set', '--name', 'cli-port2', port['id'], output=False)
    shown = _cli(identity, account, 'port', 'show', 'cli-port2')
    assert shown['id'] == port['id']
    listed = _cli(identity, account, 'port', 'list')
    assert [p['ID'] for p in listed] == [port['id']]
    _cli(identity, account, 'security', 'group', 'create', 'cli-sg')
    _cli(identity, account, 'security', 'group', 'rule', 'create', '--proto', 'tcp',
         '--dst-port', '22', 'cli-sg')
    quota = {row['Resource']: row['Limit']
             for row in _cli(identity, account, 'quota', 'show', '--network')}
    assert (quota['ports'], quota['networks'], quota['security_groups']) == (500, 100, 10)
    _cli(identity, account, 'port', 'delete', port['id'], output=False)
    _cli(identity, account, 'network', 'delete', net['id'], output=False)


def test_cli_admin_external_network_and_agents(identity, network, admin, make_account):
    cloud_admin = types.SimpleNamespace(
        name='admin', password=servers.ADMIN_PASSWORD,
        project_id=admin.get('/v3/projects?name=admin').json()['projects'][0]['id'])
    public = _cli(identity, cloud_admin, 'network', 'create', '--external',
                  '--provider-network-type', 'flat', '--provider-physical-network', 'public',
                  servers.unique_name('public'))
    assert public['router:external'] is True and public['provider:network_type'] == 'flat'
    assert _cli(identity, cloud_admin, 'network', 'agent', 'list') == []
    member = make_account(roles=('member', 'reader'))
    external = _cli(identity, member, 'network', 'list', '--external')
    assert public['id'] in {n['ID'] for n in external}
    _cli(identity, cloud_admin, 'network', 'delete', public['id'], output=False)
