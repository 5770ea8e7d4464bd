"""Tenant isolation of routers and floating IPs.

Project Q (``other_member``) gets 404 for P's routers and floating IPs on
show, update, delete and the interface actions, and does not find them in
lists; it can neither attach P's subnet or port to its own router nor point
its floating IP at P's port.  A cloud admin sees and acts on everything.
"""
import pytest

from tests.unit.network.l3_fixtures import (add_interface, external_network, fault,
                                            remove_interface, router, set_gateway)


@pytest.fixture
def owned(api):
    public, _ = external_network(api)
    net = api.network()
    subnet = api.subnet(net['id'])
    r = router(api)
    set_gateway(api, r['id'], public['id'])
    add_interface(api, r['id'], subnet_id=subnet['id'])
    port = api.port(net['id'])
    fip = api.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id'], 'port_id': port['id']}}).get_json()['floatingip']
    return {'public': public, 'subnet': subnet, 'port': port, 'routers': r,
            'floatingips': fip}


@pytest.mark.parametrize('collection, resource, change', [
    ('routers', 'router', {'name': 'stolen'}),
    ('floatingips', 'floatingip', {'description': 'stolen'}),
])
def test_invisible_and_untouchable(api, owned, collection, resource, change):
    item = owned[collection]
    url = f"/v2.0/{collection}/{item['id']}"
    assert api.get(url, as_='other_member').status_code == 404
    listed = api.get(f'/v2.0/{collection}', as_='other_member').get_json()[collection]
    assert listed == []
    by_id = api.get(f"/v2.0/{collection}?id={item['id']}", as_='other_member').get_json()
    assert by_id[collection] == []
    assert api.put(url, json={resource: change}, as_='other_member').status_code == 404
    assert api.delete(url, as_='other_member').status_code == 404
    assert api.get(url, as_='cloud_admin').status_code == 200
    assert item['id'] in {i['id'] for i in
                          api.get(f'/v2.0/{collection}', as_='cloud_admin')
                          .get_json()[collection]}
    assert api.get(url).get_json()[resource].get('description') != 'stolen'


def test_interface_actions_on_another_projects_router_are_404(api, owned):
    r = owned['routers']
    own_net = api.network(as_='other_member')
    own_subnet = api.subnet(own_net['id'], cidr='10.8.0.0/24', as_='other_member')
    response = add_interface(api, r['id'], as_='other_member', subnet_id=own_subnet['id'])
    assert response.status_code == 404 and fault(response) == 'RouterNotFound'
    response = remove_interface(api, r['id'], as_='other_member',
                                subnet_id=owned['subnet']['id'])
    assert response.status_code == 404


def test_another_projects_subnet_or_port_cannot_be_attached(api, owned):
    theirs = router(api, as_='other_member')
    response = add_interface(api, theirs['id'], as_='other_member',
                             subnet_id=owned['subnet']['id'])
    assert response.status_code == 404 and fault(response) == 'SubnetNotFound'
    response = add_interface(api, theirs['id'], as_='other_member',
                             port_id=owned['port']['id'])
    assert response.status_code == 404 and fault(response) == 'PortNotFound'


def test_floating_ip_cannot_point_at_another_projects_port(api, owned):
    fip = api.post('/v2.0/floatingips', as_='other_member', json={'floatingip': {
        'floating_network_id': owned['public']['id']}}).get_json()['floatingip']
    response = api.put(f"/v2.0/floatingips/{fip['id']}", as_='other_member',
                       json={'floatingip': {'port_id': owned['port']['id']}})
    assert response.status_code == 404 and fault(response) == 'PortNotFound'


def test_members_do_not_see_the_service_ports(api, owned):
    owners = {p['device_owner'] for p in api.get('/v2.0/ports').get_json()['ports']}
    assert owners == {'', 'network:router_interface'}
    everything = {p['device_owner'] for p in
                  api.get('/v2.0/ports', as_='cloud_admin').get_json()['ports']}
    assert {'network:router_gateway', 'network:floatingip'} <= everything
