"""Routers: CRUD, external gateway, interfaces by subnet and by port, routes, quotas."""
import pytest

from network.db import models as m
from tests.unit.network.l3_fixtures import (add_interface, delete_on_lock, external_network,
                                            fault, remove_interface, router, set_gateway)


@pytest.fixture
def public(api):
    return external_network(api)


@pytest.fixture
def private(api):
    network = api.network(name='private')
    return network, api.subnet(network['id'], cidr='10.0.0.0/24')


def _ports(api, **filters):
    query = '&'.join(f'{k}={v}' for k, v in filters.items())
    return api.get(f'/v2.0/ports?{query}', as_='cloud_admin').get_json()['ports']


def test_create_show_list_update_delete(api):
    created = router(api, description='d')
    assert created['status'] == 'ACTIVE' and created['admin_state_up'] is True
    assert created['external_gateway_info'] is None and created['routes'] == []
    assert created['project_id'] == created['tenant_id'] == 'project-p'
    assert 'distributed' not in created and 'ha' not in created
    as_admin = api.get(f"/v2.0/routers/{created['id']}", as_='cloud_admin').get_json()
    assert as_admin['router']['distributed'] is False and as_admin['router']['ha'] is False
    router(api, name='other')
    listed = api.get('/v2.0/routers?name=r&fields=id&fields=name').get_json()['routers']
    assert listed == [{'id': created['id'], 'name': 'r'}]
    renamed = api.put(f"/v2.0/routers/{created['id']}",
                      json={'router': {'name': 'new', 'admin_state_up': False}})
    assert renamed.get_json()['router']['name'] == 'new'
    assert renamed.get_json()['router']['revision_number'] > created['revision_number']
    assert api.delete(f"/v2.0/routers/{created['id']}").status_code == 204
    missing = api.get(f"/v2.0/routers/{created['id']}")
    assert missing.status_code == 404 and fault(missing) == 'RouterNotFound'


def test_sorting_and_pagination(api):
    ids = sorted(router(api, name=f'r{i}')['id'] for i in range(3))
    page = api.get('/v2.0/routers?limit=2&sort_key=id&sort_dir=asc').get_json()
    assert [r['id'] for r in page['routers']] == ids[:2]
    assert page['routers_links'][0]['rel'] == 'next'


@pytest.mark.parametrize('attrs', [{'distributed': True}, {'ha': True},
                                   {'external_gateway_info': {'network_id': 'x',
                                                              'enable_snat': False}}])
def test_admin_only_attributes_are_refused_to_members(api, attrs):
    response = api.post('/v2.0/routers', json={'router': attrs})
    assert response.status_code == 403


def test_distributed_routers_are_not_supported(api):
    response = api.post('/v2.0/routers', json={'router': {'distributed': True}},
                        as_='cloud_admin')
    assert response.status_code == 400


def test_gateway_set_and_cleared(api, public):
    network, subnet = public
    created = router(api)
    gateway = set_gateway(api, created['id'], network['id'])['external_gateway_info']
    assert gateway['network_id'] == network['id'] and gateway['enable_snat'] is True
    [fixed] = gateway['external_fixed_ips']
    assert fixed['subnet_id'] == subnet['id'] and fixed['ip_address'].startswith('172.24.4.')
    [port] = _ports(api, device_owner='network:router_gateway')
    assert port['device_id'] == created['id'] and port['project_id'] == ''
    assert port['fixed_ips'] == [fixed]
    assert api.get('/v2.0/ports').get_json()['ports'] == []  # not the project's
    cleared = api.put(f"/v2.0/routers/{created['id']}",
                      json={'router': {'external_gateway_info': {}}})
    assert cleared.get_json()['router']['external_gateway_info'] is None
    assert _ports(api, device_owner='network:router_gateway') == []
    set_gateway(api, created['id'], network['id'])
    api.put(f"/v2.0/routers/{created['id']}", json={'router': {'external_gateway_info': None}})
    assert _ports(api, device_owner='network:router_gateway') == []


def test_gateway_on_create_with_snat_and_fixed_ip_by_admin(api, public):
    network, subnet = public
    created = router(api, as_='cloud_admin', project_id='project-p', external_gateway_info={
        'network_id': network['id'], 'enable_snat': False,
        'external_fixed_ips': [{'ip_address': '172.24.4.50'}]})
    assert created['external_gateway_info'] == {
        'network_id': network['id'], 'enable_snat': False,
        'external_fixed_ips': [{'subnet_id': subnet['id'], 'ip_address': '172.24.4.50'}]}
    taken = api.post('/v2.0/routers', as_='cloud_admin', json={'router': {
        'external_gateway_info': {'network_id': network['id'],
                                  'external_fixed_ips': [{'ip_address': '172.24.4.50'}]}}})
    assert taken.status_code == 409 and fault(taken) == 'IpAddressInUse'


def test_gateway_needs_an_external_network(api, private):
    network, _ = private
    created = router(api)
    response = api.put(f"/v2.0/routers/{created['id']}", json={
        'router': {'external_gateway_info': {'network_id': network['id']}}})
    assert response.status_code == 400
    response = api.put(f"/v2.0/routers/{created['id']}", json={
        'router': {'external_gateway_info': {'network_id': 'no-such-network'}}})
    assert response.status_code == 404
    assert api.get(f"/v2.0/routers/{created['id']}").get_json()['router'][
        'external_gateway_info'] is None


def test_external_network_with_gateway_cannot_be_deleted(api, public):
    network, _ = public
    created = router(api)
    set_gateway(api, created['id'], network['id'])
    response = api.delete(f"/v2.0/networks/{network['id']}", as_='cloud_admin')
    assert response.status_code == 409
    assert api.delete(f"/v2.0/routers/{created['id']}").status_code == 204
    assert _ports(api, device_owner='network:router_gateway') == []
    assert api.delete(f"/v2.0/networks/{network['id']}", as_='cloud_admin').status_code == 204


def test_interface_by_subnet(api, private):
    network, subnet = private
    created = router(api)
    response = add_interface(api, created['id'], subnet_id=subnet['id'])
    assert response.status_code == 200, response.get_data(as_text=True)
    info = response.get_json()
    assert info['id'] == created['id'] and info['subnet_id'] == subnet['id']
    assert info['subnet_ids'] == [subnet['id']] and info['network_id'] == network['id']
    assert info['project_id'] == info['tenant_id'] == 'project-p'
    port = api.get(f"/v2.0/ports/{info['port_id']}").get_json()['port']
    assert port['device_owner'] == 'network:router_interface'
    assert port['device_id'] == created['id']
    assert port['fixed_ips'] == [{'subnet_id': subnet['id'], 'ip_address': '10.0.0.1'}]
    assert port['security_groups'] == []
    again = add_interface(api, created['id'], subnet_id=subnet['id'])
    assert again.status_code == 400
    removed = remove_interface(api, created['id'], subnet_id=subnet['id'])
    assert removed.status_code == 200 and removed.get_json() == info
    assert api.get(f"/v2.0/ports/{info['port_id']}").status_code == 404
    gone = remove_interface(api, created['id'], subnet_id=subnet['id'])
    assert gone.status_code == 404 and fault(gone) == 'RouterInterfaceNotFoundForSubnet'


def test_interface_keeps_subnet_router_and_port_in_use(api, private):
    network, subnet = private
    created = router(api)
    info = add_interface(api, created['id'], subnet_id=subnet['id']).get_json()
    response = api.delete(f"/v2.0/subnets/{subnet['id']}")
    assert response.status_code == 409 and fault(response) == 'SubnetInUse'
    assert api.delete(f"/v2.0/networks/{network['id']}").status_code == 409
    response = api.delete(f"/v2.0/routers/{created['id']}")
    assert response.status_code == 409 and fault(response) == 'RouterInUse'
    response = api.delete(f"/v2.0/ports/{info['port_id']}", as_='cloud_admin')
    assert response.status_code == 409 and fault(response) == 'ServicePortInUse'
    remove_interface(api, created['id'], port_id=info['port_id'])
    assert api.delete(f"/v2.0/routers/{created['id']}").status_code == 204
    assert api.delete(f"/v2.0/networks/{network['id']}").status_code == 204


def test_interface_refusals(api, private):
    _, subnet = private
    created = router(api)
    no_gateway_net = api.network()
    no_gateway = api.subnet(no_gateway_net['id'], cidr='10.9.0.0/24', gateway_ip=None)
    response = add_interface(api, created['id'], subnet_id=no_gateway['id'])
    assert response.status_code == 400
    assert add_interface(api, created['id']).status_code == 400
    assert add_interface(api, created['id'], subnet_id=subnet['id'], port_id='x')\
        .status_code == 400
    assert add_interface(api, created['id'], subnet_id='no-such').status_code == 404
    add_interface(api, created['id'], subnet_id=subnet['id'])
    overlapping_net = api.network()
    overlapping = api.subnet(overlapping_net['id'], cidr='10.0.0.0/16')
    response = add_interface(api, created['id'], subnet_id=overlapping['id'])
    assert response.status_code == 400 and 'overlaps' in response.get_json()[
        'NeutronError']['message']
    # The gateway address of a subnet serves one router.
    second = router(api, name='second')
    response = add_interface(api, second['id'], subnet_id=subnet['id'])
    assert response.status_code == 409 and fault(response) == 'IpAddressInUse'


def test_interface_by_port(api, private):
    network, subnet = private
    created = router(api)
    port = api.port(network['id'], fixed_ips=[{'ip_address': '10.0.0.254'}])
    response = add_interface(api, created['id'], port_id=port['id'])
    assert response.status_code == 200, response.get_data(as_text=True)
    info = response.get_json()
    assert info['port_id'] == port['id'] and info['subnet_ids'] == [subnet['id']]
    shown = api.get(f"/v2.0/ports/{port['id']}").get_json()['port']
    assert shown['device_owner'] == 'network:router_interface'
    other = router(api, name='other')
    response = add_interface(api, other['id'], port_id=port['id'])
    assert response.status_code == 409 and fault(response) == 'PortInUse'
    used = api.port(network['id'], device_id='server', device_owner='compute:nova')
    assert add_interface(api, other['id'], port_id=used['id']).status_code == 409
    response = remove_interface(api, created['id'], port_id='not-an-interface')
    assert response.status_code == 404 and fault(response) == 'RouterInterfaceNotFound'
    assert remove_interface(api, created['id'], port_id=port['id']).status_code == 200
    assert api.get(f"/v2.0/ports/{port['id']}").status_code == 404


def test_interface_port_needs_an_address(api):
    network = api.network()
    port = api.port(network['id'])
    response = add_interface(api, router(api)['id'], port_id=port['id'])
    assert response.status_code == 400


def test_static_routes(api, private, public):
    _, subnet = private
    created = router(api)
    url = f"/v2.0/routers/{created['id']}"
    route = {'destination': '192.168.0.0/24', 'nexthop': '10.0.0.10'}
    response = api.put(url, json={'router': {'routes': [route]}})
    assert response.status_code == 400 and fault(response) == 'InvalidRoutes'
    add_interface(api, created['id'], subnet_id=subnet['id'])
    response = api.put(url, json={'router': {'routes': [route]}})
    assert response.status_code == 200 and response.get_json()['router']['routes'] == [route]
    own = {'destination': '192.168.1.0/24', 'nexthop': '10.0.0.1'}
    assert api.put(url, json={'router': {'routes': [own]}}).status_code == 400
    assert api.put(url, json={'router': {'routes': [route, route]}}).status_code == 400
    bad = {'destination': 'nonsense', 'nexthop': '10.0.0.10'}
    assert api.put(url, json={'router': {'routes': [bad]}}).status_code == 400
    response = remove_interface(api, created['id'], subnet_id=subnet['id'])
    assert response.status_code == 409 and fault(response) == 'RouterInterfaceInUseByRoute'
    assert api.put(url, json={'router': {'routes': None}}).get_json()['router']['routes'] == []
    assert remove_interface(api, created['id'], subnet_id=subnet['id']).status_code == 200
    # A next hop through the external gateway is connected too.
    network, _ = public
    set_gateway(api, created['id'], network['id'])
    via_gateway = {'destination': '0.0.0.0/0', 'nexthop': '172.24.4.254'}
    assert api.put(url, json={'router': {'routes': [via_gateway]}}).status_code == 200


def test_router_quota(make_env):
    env = make_env(quotas__quota_router=1)
    router(env.api)
    response = env.api.post('/v2.0/routers', json={'router': {'name': 'over'}})
    assert response.status_code == 409 and fault(response) == 'OverQuota'
    details = env.api.get('/v2.0/quotas/project-p/details').get_json()['quota']
    assert details['router'] == {'limit': 1, 'used': 1, 'reserved': 0}


def test_extensions_are_listed(api):
    aliases = {e['alias'] for e in api.get('/v2.0/extensions').get_json()['extensions']}
    assert {'router', 'ext-gw-mode', 'extraroute', 'fip-port-details'} <= aliases
    names = {r['name'] for r in api.get('/v2.0/').get_json()['resources']}
    assert {'router', 'floatingip'} <= names


def test_external_network_with_gateway_stays_external(api, public):
    network, _ = public
    created = router(api)
    set_gateway(api, created['id'], network['id'])
    url = f"/v2.0/networks/{network['id']}"
    response = api.put(url, json={'network': {'router:external': False}}, as_='cloud_admin')
    assert response.status_code == 409 and fault(response) == 'ExternalNetworkInUse'
    api.put(f"/v2.0/routers/{created['id']}", json={'router': {'external_gateway_info': {}}})
    response = api.put(url, json={'network': {'router:external': False}}, as_='cloud_admin')
    assert response.status_code == 200


def test_admin_moves_the_gateway_address(api, public):
    network, subnet = public
    created = router(api)
    set_gateway(api, created['id'], network['id'])
    moved = api.put(f"/v2.0/routers/{created['id']}", as_='cloud_admin', json={'router': {
        'external_gateway_info': {'network_id': network['id'],
                                  'external_fixed_ips': [{'ip_address': '172.24.4.60'}]}}})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()['router']['external_gateway_info']['external_fixed_ips'] == [
        {'subnet_id': subnet['id'], 'ip_address': '172.24.4.60'}]
    assert len(_ports(api, device_owner='network:router_gateway')) == 1


@pytest.mark.parametrize('after_lock', [False, True])
def test_router_deleted_while_adding_an_interface_is_404(api, private, monkeypatch,
                                                         after_lock):
    """Gone before the lock, or (the foreign key then fails) just after it."""
    network, subnet = private
    created = router(api)
    delete_on_lock(monkeypatch, m.Router, created['id'], before=not after_lock)
    response = add_interface(api, created['id'], subnet_id=subnet['id'])
    assert response.status_code == 404 and fault(response) == 'RouterNotFound'
    assert _ports(api, network_id=network['id']) == []
