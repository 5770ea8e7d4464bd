"""``compute.network.NetworkClient`` against the real network API, as the conductor uses it.

The client acts for the user of the request (their token, re-scoped from
the RPC context) with the compute service's own token as
``X-Service-Token``, finds the network API in the catalog, and makes ports
that carry ``device_id`` = the server, ``device_owner`` = ``compute:<zone>``
and ``binding:host_id`` = its host, as Nova's do.
"""
import time
import uuid

import pytest
from oslo_config import cfg

from common.context import RequestContext
from compute import conf as compute_conf
from compute import network as compute_network
from tests import servers
from tests.functional.compute import helpers


@pytest.fixture(scope='module')
def network_api(identity, database_backend, tmp_path_factory):
    """A network API listed in the session catalog as ``network``."""
    directory = tmp_path_factory.mktemp(f'compute-network-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.NetworkServer(str(directory), url, identity, workers=1,
                                       register_in_catalog=True).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope='module')
def client(identity, network_api, tmp_path_factory):
    """A ``NetworkClient`` with compute's configuration and a service user of its own."""
    username, password = servers.unique_name('compute'), servers.unique_name('pw')
    identity.manage('ensure-user', '--name', username, '--password', password,
                    '--project', 'service', '--role', 'service')
    path = tmp_path_factory.mktemp('compute-conf') / 'compute.conf'
    path.write_text(servers.service_auth_conf(identity, username, password))
    conf = cfg.ConfigOpts()
    compute_conf.register_opts(conf)
    conf(args=['--config-file', str(path)], project='stratus', default_config_files=[],
         default_config_dirs=[])
    return compute_network.NetworkClient(conf)


@pytest.fixture
def user(network_api, make_account):
    """A member of a new project: ``(account, ctx as the conductor receives it, API client)``."""
    account = make_account()
    ctx = RequestContext(auth_token=account.token, user_id=account.user_id,
                         project_id=account.project_id, roles=['member'],
                         global_request_id=f'req-{uuid.uuid4()}', overwrite=False)
    return account, ctx, network_api.client(account.token)


@pytest.fixture(scope='module')
def network_admin(identity, network_api):
    token, _ = identity.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    return network_api.client(token)


def _network(api, name, cidr):
    net = api.post('/v2.0/networks', json={'network': {'name': name}})
    assert net.status_code == 201, net.text
    subnet = api.post('/v2.0/subnets', json={'subnet': {
        'network_id': net.json()['network']['id'], 'cidr': cidr, 'ip_version': 4}})
    assert subnet.status_code == 201, subnet.text
    return net.json()['network']


def test_ports_of_a_server_are_owned_and_bound_then_deleted(client, user, network_admin):
    _account, ctx, api = user
    net = _network(api, 'private', '10.30.0.0/24')
    server = str(uuid.uuid4())
    ports = client.allocate_ports(ctx, server, [{'uuid': net['id']},
                                                {'uuid': net['id'], 'fixed_ip': '10.30.0.77'}],
                                  [], zone='az1', host='compute-7')
    assert [p['created_by_compute'] for p in ports] == [True, True]
    assert ports[1]['fixed_ips'][0]['ip_address'] == '10.30.0.77'
    for port in ports:
        shown = network_admin.get(f"/v2.0/ports/{port['id']}").json()['port']
        assert (shown['device_id'], shown['device_owner'], shown['binding:host_id'],
                shown['project_id']) == (server, 'compute:az1', 'compute-7', ctx.project_id)
        assert shown['binding:vif_type'] == 'bridge'
    info = compute_network.network_info(ports, client.list_networks(
        ctx, [p['network_id'] for p in ports]))
    assert [(i['network_name'], i['ips'][0]['addr']) for i in info][1] == ('private',
                                                                            '10.30.0.77')
    client.deallocate_ports(ctx, ports)
    for port in ports:
        assert network_admin.get(f"/v2.0/ports/{port['id']}").status_code == 404


def test_default_zone_security_groups_and_auto(client, user, network_admin):
    _account, ctx, api = user
    net = _network(api, 'only', '10.31.0.0/24')
    web = api.post('/v2.0/security-groups', json={'security_group': {'name': 'web'}})
    assert web.status_code == 201, web.text
    [port] = client.allocate_ports(ctx, str(uuid.uuid4()), 'auto', ['web', 'default'],
                                   host='compute-1')
    shown = network_admin.get(f"/v2.0/ports/{port['id']}").json()['port']
    assert shown['network_id'] == net['id'] and shown['device_owner'] == 'compute:nova'
    default = api.get('/v2.0/security-groups', params={'name': 'default'}).json()
    assert sorted(shown['security_groups']) == sorted(
        [web.json()['security_group']['id'], default['security_groups'][0]['id']])
    with pytest.raises(compute_network.SecurityGroupNotFound):
        client.allocate_ports(ctx, str(uuid.uuid4()), 'auto', ['missing'])
    client.deallocate_ports(ctx, [port])


def test_a_users_port_is_bound_and_unbound_never_deleted(client, user, network_admin):
    _account, ctx, api = user
    net = _network(api, 'mine', '10.32.0.0/24')
    mine = api.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).json()['port']
    server = str(uuid.uuid4())
    [port] = client.allocate_ports(ctx, server, [{'port': mine['id']}], [], host='compute-2')
    assert port['created_by_compute'] is False
    shown = network_admin.get(f"/v2.0/ports/{mine['id']}").json()['port']
    assert (shown['device_id'], shown['binding:host_id']) == (server, 'compute-2')
    with pytest.raises(compute_network.PortInUse):
        client.allocate_ports(ctx, str(uuid.uuid4()), [{'port': mine['id']}], [])
    client.deallocate_ports(ctx, [port])
    shown = network_admin.get(f"/v2.0/ports/{mine['id']}").json()['port']
    assert (shown['device_id'], shown['device_owner'], shown['binding:host_id'],
            shown['binding:vif_type']) == ('', '', '', 'unbound')


def test_another_projects_network_is_not_found(client, user, make_account, network_api):
    _account, ctx, _api = user
    other = network_api.client(make_account().token)
    theirs = _network(other, 'theirs', '10.33.0.0/24')
    with pytest.raises(compute_network.NetworkNotFound):
        client.allocate_ports(ctx, str(uuid.uuid4()), [{'uuid': theirs['id']}], [])


def test_a_server_on_a_network_gets_a_bound_port_that_goes_with_it(
        compute, image, make_account, network_api, network_admin):
    """The whole path: compute API -> conductor (as the user, with compute's service
    token) -> network API.  The fake-driver agent plugs nothing and no network
    agent wires the port, which stays DOWN: the server waits in ``spawning``
    until the test, as the network service would, reports it plugged."""
    account = make_account()
    client = compute.client(account.token)
    net = _network(network_api.client(account.token), 'servers', '10.34.0.0/24')
    flavor = helpers.make_flavor(compute.admin())
    image_id = helpers.make_image(image, account.token)
    server_id = helpers.create_server(client, image_id, flavor['id'],
                                      networks=[{'uuid': net['id']}])
    helpers.wait_for_task(compute.admin(), server_id, 'spawning')
    [port] = network_admin.get('/v2.0/ports', params={'device_id': server_id}).json()['ports']
    assert port['status'] == 'DOWN'
    time.sleep(2)  # the guest spawned long ago: the build waits for the port
    assert helpers.show(client, server_id)['status'] == 'BUILD'
    service = compute.client(make_account(roles=('service',)).token)
    reported = service.post('/os-server-external-events', json={'events': [{
        'name': 'network-vif-plugged', 'server_uuid': server_id, 'tag': port['id'],
        'status': 'completed'}]})
    assert reported.status_code == 200, reported.text
    server = helpers.wait_for_status(client, server_id, 'ACTIVE')
    host = helpers.show(compute.admin(), server_id)['OS-EXT-SRV-ATTR:host']
    assert (port['network_id'], port['device_owner'], port['binding:host_id'],
            port['project_id']) == (net['id'], f'compute:{server["OS-EXT-AZ:availability_zone"]}',
                                    host, account.project_id)
    assert server['addresses'] == {'servers': [{
        'addr': port['fixed_ips'][0]['ip_address'], 'version': 4,
        'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port['mac_address']}]}
    assert client.delete(f'/servers/{server_id}').status_code == 204
    helpers.wait_for_gone(client, server_id)
    assert network_admin.get('/v2.0/ports', params={'device_id': server_id}).json() == {
        'ports': []}
