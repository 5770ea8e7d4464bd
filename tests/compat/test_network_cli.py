"""The unmodified ``openstack`` CLI against the all-in-one's network service.

The flows of the issue that the service serves so far: ``network create``,
``subnet create --subnet-range``, ``port create/list/show/set/delete``,
``security group create``, ``security group rule create``, ``network agent
list`` (an agent reported through the all-in-one's conductor), ``quota
show`` (and ``quota set``); tenant isolation between project demo and a project made for the
test; and a server with a network, whose port compute makes and binds.
Whatever a test creates is deleted at the end through the API, also when it
fails.  (Routers and floating IPs come with their API.)
"""
import configparser
import datetime
import os
import random
import time

import pytest
import yaml
from oslo_config import cfg

from common import rpc
from common.context import RequestContext
from network import conf as network_conf
from network import rpcapi
from tests import servers
from tests.compat.conftest import (ADMIN_CLOUD, GUEST_IMAGE, GUEST_WAIT, MEMBER_CLOUD,
                                   OpenStackCLI)

# The all-in-one's network.conf: its transport_url is where the conductor listens.
NETWORK_CONF = os.environ.get('STRATUS_NETWORK_CONF', '/etc/stratus/network.conf')
OTHER_CLOUD = 'stratus-other'


def endpoint(token_body, service_type):
    for service in token_body.get('catalog') or []:
        if service['type'] == service_type:
            for item in service['endpoints']:
                if item['interface'] == 'public':
                    return item['url']
    raise AssertionError(f'the catalog has no public {service_type} endpoint')


@pytest.fixture(scope='session')
def network_api(admin_cloud):
    """The network API with a stratus-admin token (for checks and clean-up)."""
    token, body = admin_cloud.issue_token()
    return servers.ApiClient(endpoint(body, 'network').rstrip('/') + '/v2.0', token)


@pytest.fixture
def network_cleanup(network_api):
    """``network_cleanup(path)``: DELETE that network API path (``/ports/<id>`` …)
    at teardown, last added first; 404 is fine."""
    paths = []
    yield paths.append
    failures = []
    for path in reversed(paths):
        response = network_api.delete(path)
        if response.status_code not in (204, 404):
            failures.append(f'DELETE {path} -> {response.status_code} {response.text[:200]}')
    assert not failures, 'network clean-up failed: ' + '; '.join(failures)


def a_cidr():
    """A /24 no other test run is likely to use (CIDRs may overlap across networks anyway)."""
    return f'10.{random.randint(100, 199)}.{random.randint(0, 255)}.0/24'


def make_network(cli, network_cleanup, name, *options, cloud=MEMBER_CLOUD, cidr=None):
    """A network with one IPv4 subnet: ``(network, subnet)`` as the CLI shows them."""
    network = cli.json('network', 'create', *options, name, cloud=cloud)
    network_cleanup(f'/networks/{network["id"]}')
    subnet = cli.json('subnet', 'create', '--network', network['id'], '--subnet-range',
                      cidr or a_cidr(), f'{name}-subnet', cloud=cloud)
    network_cleanup(f'/subnets/{subnet["id"]}')
    return network, subnet


def test_network_subnet_and_port_lifecycle(cli, network_cleanup, unique_name):
    name = unique_name('net')
    network = cli.json('network', 'create', name, cloud=MEMBER_CLOUD)
    network_cleanup(f'/networks/{network["id"]}')
    assert (network['name'], network['status']) == (name, 'ACTIVE')
    assert network['id'] in {n['ID'] for n in cli.json('network', 'list', cloud=MEMBER_CLOUD)}

    subnet = cli.json('subnet', 'create', '--network', name, '--subnet-range', '10.199.7.0/24',
                      '--dns-nameserver', '192.0.2.53', f'{name}-subnet', cloud=MEMBER_CLOUD)
    network_cleanup(f'/subnets/{subnet["id"]}')
    assert (subnet['cidr'], subnet['ip_version'], subnet['gateway_ip'],
            subnet['network_id']) == ('10.199.7.0/24', 4, '10.199.7.1', network['id'])
    assert subnet['allocation_pools'] == [{'start': '10.199.7.2', 'end': '10.199.7.254'}]
    assert subnet['dns_nameservers'] == ['192.0.2.53']
    assert cli.json('network', 'show', name, cloud=MEMBER_CLOUD)['subnets'] == [subnet['id']]

    port = cli.json('port', 'create', '--network', name, unique_name('port'),
                    cloud=MEMBER_CLOUD)
    network_cleanup(f'/ports/{port["id"]}')
    [fixed] = port['fixed_ips']
    assert fixed['subnet_id'] == subnet['id']
    assert fixed['ip_address'].startswith('10.199.7.') and fixed['ip_address'] != '10.199.7.1'
    assert port['mac_address'].startswith('fa:16:3e:')
    chosen = cli.json('port', 'create', '--network', name, '--fixed-ip',
                      f'subnet={subnet["id"]},ip-address=10.199.7.50', unique_name('port'),
                      cloud=MEMBER_CLOUD)
    network_cleanup(f'/ports/{chosen["id"]}')
    assert [ip['ip_address'] for ip in chosen['fixed_ips']] == ['10.199.7.50']
    taken = cli.run('port', 'create', '--network', name, '--fixed-ip',
                    f'subnet={subnet["id"]},ip-address=10.199.7.50', unique_name('port'),
                    cloud=MEMBER_CLOUD, check=False)
    assert taken.returncode != 0 and '10.199.7.50' in taken.stderr, taken.stderr

    listed = cli.json('port', 'list', '--network', name, cloud=MEMBER_CLOUD)
    assert sorted(p['ID'] for p in listed) == sorted([port['id'], chosen['id']])
    shown = cli.json('port', 'show', port['id'], cloud=MEMBER_CLOUD)
    assert (shown['id'], shown['network_id'], shown['fixed_ips']) == (
        port['id'], network['id'], port['fixed_ips'])

    cli.run('port', 'set', '--name', f'{port["name"]}-renamed', '--description', 'compat',
            '--disable', port['id'], cloud=MEMBER_CLOUD)
    shown = cli.json('port', 'show', port['id'], cloud=MEMBER_CLOUD)
    assert (shown['name'], shown['description'], shown['admin_state_up']) == (
        f'{port["name"]}-renamed', 'compat', False)

    in_use = cli.run('network', 'delete', name, cloud=MEMBER_CLOUD, check=False)
    assert in_use.returncode != 0, in_use.stdout
    cli.run('port', 'delete', port['id'], chosen['id'], cloud=MEMBER_CLOUD)
    assert cli.json('port', 'list', '--network', name, cloud=MEMBER_CLOUD) == []
    assert cli.run('port', 'show', port['id'], cloud=MEMBER_CLOUD, check=False).returncode != 0
    cli.run('subnet', 'delete', subnet['id'], cloud=MEMBER_CLOUD)
    cli.run('network', 'delete', name, cloud=MEMBER_CLOUD)
    assert cli.run('network', 'show', network['id'], cloud=MEMBER_CLOUD,
                   check=False).returncode != 0


def test_security_group_and_rules(cli, network_cleanup, unique_name):
    name = unique_name('sg')
    group = cli.json('security', 'group', 'create', '--description', 'compat', name,
                     cloud=MEMBER_CLOUD)
    network_cleanup(f'/security-groups/{group["id"]}')
    assert (group['name'], group['description']) == (name, 'compat')
    # A new group lets everything out, over IPv4 and IPv6, as Neutron's do.
    rules = cli.json('security', 'group', 'rule', 'list', name, cloud=MEMBER_CLOUD)
    assert sorted((r['Direction'], r['Ethertype']) for r in rules) == [
        ('egress', 'IPv4'), ('egress', 'IPv6')]

    rule = cli.json('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port',
                    '22', '--remote-ip', '192.0.2.0/24', name, cloud=MEMBER_CLOUD)
    assert (rule['direction'], rule['protocol'], rule['port_range_min'],
            rule['port_range_max'], rule['remote_ip_prefix'], rule['security_group_id']) == (
        'ingress', 'tcp', 22, 22, '192.0.2.0/24', group['id'])
    again = cli.run('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port',
                    '22', '--remote-ip', '192.0.2.0/24', name, cloud=MEMBER_CLOUD, check=False)
    assert again.returncode != 0 and 'exists' in again.stderr, again.stderr
    bad = cli.run('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port',
                  '70000', name, cloud=MEMBER_CLOUD, check=False)
    assert bad.returncode != 0, bad.stdout
    icmp = cli.json('security', 'group', 'rule', 'create', '--protocol', 'icmp',
                    '--remote-group', name, name, cloud=MEMBER_CLOUD)
    assert icmp['remote_group_id'] == group['id']
    listed = cli.json('security', 'group', 'rule', 'list', name, cloud=MEMBER_CLOUD)
    assert {rule['id'], icmp['id']} <= {r['ID'] for r in listed}

    cli.run('security', 'group', 'rule', 'delete', rule['id'], cloud=MEMBER_CLOUD)
    cli.run('security', 'group', 'delete', name, cloud=MEMBER_CLOUD)
    assert name not in {g['Name'] for g in cli.json('security', 'group', 'list',
                                                    cloud=MEMBER_CLOUD)}


def test_every_project_has_an_undeletable_default_group(cli):
    groups = [g for g in cli.json('security', 'group', 'list', cloud=MEMBER_CLOUD)
              if g['Name'] == 'default']
    assert len(groups) == 1, groups
    refused = cli.run('security', 'group', 'delete', groups[0]['ID'], cloud=MEMBER_CLOUD,
                      check=False)
    assert refused.returncode != 0, refused.stdout


def _transport_url():
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(NETWORK_CONF) as stream:
            parser.read_file(stream)
    except OSError as exc:
        pytest.fail(f'cannot read {NETWORK_CONF} ({exc.strerror}): this test reports an agent '
                    'through the all-in-one\'s RabbitMQ; run it as the user stack.sh ran as',
                    pytrace=False)
    return parser['DEFAULT']['transport_url']


@pytest.fixture
def reported_agent(network_api, unique_name):
    """An agent reported through the all-in-one's network conductor (as the agents
    of the hosts will); removed afterwards."""
    conf = cfg.ConfigOpts()
    network_conf.register_opts(conf, database=False)
    conf([], project='stratus-compat-test', default_config_files=[])
    conf.set_override('transport_url', _transport_url())
    conf.set_override('rpc_response_timeout', 30)
    transport = rpc.get_transport(conf)
    host = unique_name('host')
    state = {'agent_type': 'DHCP agent', 'binary': 'stratus-network-agent',
             'topic': 'dhcp_agent', 'host': host, 'availability_zone': 'nova',
             'configurations': {'networks': 0}, 'start_flag': True}
    try:
        status = rpcapi.ConductorAPI(conf, transport=transport).report_state(
            RequestContext.admin(), state, use_call=True)
    finally:
        transport.cleanup()
    assert status == rpcapi.AGENT_NEW
    [agent] = network_api.get('/agents', params={'host': host}).json()['agents']
    yield agent
    response = network_api.delete(f'/agents/{agent["id"]}')
    assert response.status_code in (204, 404), response.text


def test_network_agent_list_show_set_delete(cli, reported_agent):
    host = reported_agent['host']
    listed = cli.json('network', 'agent', 'list', '--host', host)
    assert [(a['Agent Type'], a['Host'], a['Alive'], a['State'], a['Binary']) for a in listed] == [
        ('DHCP agent', host, True, True, 'stratus-network-agent')]
    cli.run('network', 'agent', 'set', '--disable', '--description', 'compat',
            reported_agent['id'])
    shown = cli.json('network', 'agent', 'show', reported_agent['id'])
    assert (shown['admin_state_up'], shown['description'], shown['availability_zone']) == (
        False, 'compat', 'nova')
    refused = cli.run('network', 'agent', 'list', cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0, refused.stdout  # agents are the operator's
    cli.run('network', 'agent', 'delete', reported_agent['id'])
    assert cli.json('network', 'agent', 'list', '--host', host) == []


def _quotas(listing):
    """``quota show -f json`` as ``{resource: limit}`` (a list of rows in OSC 10)."""
    if isinstance(listing, dict):
        return listing
    return {row['Resource']: row['Limit'] for row in listing}


@pytest.fixture
def new_project(admin_api, cleanup, unique_name):
    """The id of a project made for the test (its quotas are the defaults)."""
    created = admin_api.post('/v3/projects', json={'project': {
        'name': unique_name('project'), 'domain_id': 'default'}})
    assert created.status_code == 201, created.text
    return cleanup.project(created.json()['project']['id']).rsplit('/', 1)[-1]


def test_quota_show(cli, new_project):
    shown = _quotas(cli.json('quota', 'show', '--network', new_project))
    assert {k: shown[k] for k in ('networks', 'subnets', 'ports', 'routers', 'floating_ips',
                                  'security_groups', 'security_group_rules')} == {
        'networks': 100, 'subnets': 100, 'ports': 500, 'routers': 10, 'floating_ips': 50,
        'security_groups': 10, 'security_group_rules': 100}


def test_quota_set(cli, new_project):
    # OSC sends "check_limit": true (Neutron's quota-check-limit) with the limits.
    cli.run('quota', 'set', '--ports', '7', '--networks', '3', new_project)
    shown = _quotas(cli.json('quota', 'show', '--network', new_project))
    assert (shown['ports'], shown['networks']) == (7, 3)
    refused = cli.run('quota', 'set', '--ports', '1000', new_project, cloud=MEMBER_CLOUD,
                      check=False)
    assert refused.returncode != 0, refused.stdout


# --- tenant isolation ------------------------------------------------------------------

@pytest.fixture(scope='module')
def other_project(clouds_file, admin_cloud, tmp_path_factory):
    """A project with a member of its own, as the cloud ``stratus-other`` of a
    clouds.yaml that has the all-in-one's clouds too: ``(cli, project_id)``."""
    admin = admin_cloud.client()
    suffix = f'{datetime.datetime.now():%H%M%S}-{random.randint(0, 9999):04d}'
    project = admin.post('/v3/projects', json={'project': {
        'name': f'compat-network-other-{suffix}', 'domain_id': 'default'}})
    assert project.status_code == 201, project.text
    project_id = project.json()['project']['id']
    password = servers.unique_name('pw')
    user = admin.post('/v3/users', json={'user': {
        'name': f'compat-network-other-{suffix}', 'password': password,
        'domain_id': 'default', 'default_project_id': project_id}})
    assert user.status_code == 201, user.text
    user_id = user.json()['user']['id']
    try:
        member = next(r['id'] for r in admin.get('/v3/roles').json()['roles']
                      if r['name'] == 'member')
        granted = admin.put(f'/v3/projects/{project_id}/users/{user_id}/roles/{member}')
        assert granted.status_code == 204, granted.text
        clouds = dict(clouds_file[1])
        other = dict(clouds[MEMBER_CLOUD])
        other['auth'] = dict(other['auth'], username=user.json()['user']['name'],
                             password=password, project_name=project.json()['project']['name'])
        clouds[OTHER_CLOUD] = other
        path = tmp_path_factory.mktemp('compat-network') / 'clouds.yaml'
        path.write_text(yaml.safe_dump({'clouds': clouds}))
        yield OpenStackCLI(str(path)), project_id
    finally:
        admin.delete(f'/v3/users/{user_id}')
        admin.delete(f'/v3/projects/{project_id}')


def test_another_projects_network_and_ports_are_invisible_and_untouchable(
        other_project, network_cleanup, unique_name):
    cli, _ = other_project
    network, subnet = make_network(cli, network_cleanup, unique_name('net'))
    port = cli.json('port', 'create', '--network', network['id'], unique_name('port'),
                    cloud=MEMBER_CLOUD)
    network_cleanup(f'/ports/{port["id"]}')

    assert network['id'] not in {n['ID'] for n in cli.json('network', 'list',
                                                            cloud=OTHER_CLOUD)}
    assert port['id'] not in {p['ID'] for p in cli.json('port', 'list', cloud=OTHER_CLOUD)}
    assert subnet['id'] not in {s['ID'] for s in cli.json('subnet', 'list', cloud=OTHER_CLOUD)}
    for command in (('network', 'show', network['id']), ('subnet', 'show', subnet['id']),
                    ('port', 'show', port['id']),
                    ('network', 'set', '--name', 'stolen', network['id']),
                    ('port', 'set', '--name', 'stolen', port['id']),
                    ('port', 'create', '--network', network['id'], unique_name('port')),
                    ('port', 'delete', port['id']),
                    ('subnet', 'delete', subnet['id']),
                    ('network', 'delete', network['id'])):
        refused = cli.run(*command, cloud=OTHER_CLOUD, check=False)
        assert refused.returncode != 0, f'{command}: {refused.stdout}'
    # Nothing changed for its owner.
    assert cli.json('network', 'show', network['id'], cloud=MEMBER_CLOUD)['name'] == network['name']
    assert cli.json('port', 'show', port['id'], cloud=MEMBER_CLOUD)['name'] == port['name']
    # The admin sees both.
    assert network['id'] in {n['ID'] for n in cli.json('network', 'list')}
    assert port['id'] in {p['ID'] for p in cli.json('port', 'list', '--network',
                                                    network['id'])}


def test_another_projects_security_group_is_invisible_and_untouchable(
        other_project, network_cleanup, unique_name):
    cli, _ = other_project
    group = cli.json('security', 'group', 'create', unique_name('sg'), cloud=MEMBER_CLOUD)
    network_cleanup(f'/security-groups/{group["id"]}')
    assert group['id'] not in {g['ID'] for g in cli.json('security', 'group', 'list',
                                                          cloud=OTHER_CLOUD)}
    for command in (('security', 'group', 'show', group['id']),
                    ('security', 'group', 'rule', 'create', '--protocol', 'tcp', group['id']),
                    ('security', 'group', 'delete', group['id'])):
        refused = cli.run(*command, cloud=OTHER_CLOUD, check=False)
        assert refused.returncode != 0, f'{command}: {refused.stdout}'


def test_a_shared_network_takes_ports_of_other_projects(other_project, network_cleanup,
                                                         unique_name):
    cli, other_project_id = other_project
    refused = cli.run('network', 'create', '--share', unique_name('net'), cloud=MEMBER_CLOUD,
                      check=False)
    assert refused.returncode != 0, refused.stdout  # sharing is the admin's
    network, _ = make_network(cli, network_cleanup, unique_name('net'), '--share',
                              cloud=ADMIN_CLOUD)
    assert network['shared'] is True
    assert network['id'] in {n['ID'] for n in cli.json('network', 'list', cloud=OTHER_CLOUD)}
    port = cli.json('port', 'create', '--network', network['id'], unique_name('port'),
                    cloud=OTHER_CLOUD)
    network_cleanup(f'/ports/{port["id"]}')
    assert port['project_id'] == other_project_id
    # Demo sees the shared network, not the other project's port on it.
    assert port['id'] not in {p['ID'] for p in cli.json('port', 'list', '--network',
                                                        network['id'], cloud=MEMBER_CLOUD)}


# --- compute makes and binds the ports of servers -----------------------------------------

def test_a_server_on_a_network_gets_a_bound_port(cli, network_cleanup, unique_name):
    network, subnet = make_network(cli, network_cleanup, unique_name('net'))
    image = cli.json('image', 'show', GUEST_IMAGE, cloud=MEMBER_CLOUD)['id']
    server = cli.json('server', 'create', '--image', image, '--flavor', 'm1.nano',
                      '--network', network['id'], '--wait', unique_name('server'),
                      cloud=MEMBER_CLOUD)
    try:
        shown = cli.json('server', 'show', server['id'], cloud=MEMBER_CLOUD)
        assert shown['status'] == 'ACTIVE'
        [port] = cli.json('port', 'list', '--server', server['id'], '--long',
                          cloud=MEMBER_CLOUD)
        port = cli.json('port', 'show', port['ID'])  # admin: binding attributes are shown
        host = cli.json('server', 'show', server['id'])['OS-EXT-SRV-ATTR:host']
        assert (port['device_id'], port['device_owner'], port['binding_host_id'],
                port['network_id']) == (server['id'], 'compute:nova', host, network['id'])
        [address] = [ip['ip_address'] for ip in port['fixed_ips']]
        assert address in str(shown['addresses'])
    finally:
        cli.run('server', 'delete', '--wait', server['id'], cloud=MEMBER_CLOUD, check=False)
    deadline = time.monotonic() + GUEST_WAIT
    while cli.json('port', 'list', '--network', network['id'], cloud=MEMBER_CLOUD):
        assert time.monotonic() < deadline, 'the server\'s port outlived it'
        time.sleep(1)
