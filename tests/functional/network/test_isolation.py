"""Tenant isolation through real tokens: projects A and B, and the cloud admin.

B never sees A's networks, subnets, ports and security groups (404 on
show, absent from lists) and cannot change or delete them (404); B cannot
put a port on A's network (404 for the network) but can on a shared one;
the admin sees all.
"""
import pytest

RESOURCES = {'networks': 'network', 'subnets': 'subnet', 'ports': 'port',
             'security-groups': 'security_group'}


@pytest.fixture
def two_projects(network, make_account):
    a = network.client(make_account(roles=('member', 'reader')).token)
    b = network.client(make_account(roles=('member', 'reader')).token)
    net = a.post('/v2.0/networks', json={'network': {'name': 'a-net'}}).json()['network']
    subnet = a.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.30.0.0/24', 'ip_version': 4}}).json()['subnet']
    port = a.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).json()['port']
    group = a.post('/v2.0/security-groups', json={'security_group': {'name': 'a-sg'}})\
        .json()['security_group']
    return a, b, {'networks': net, 'subnets': subnet, 'ports': port, 'security-groups': group}


def test_another_projects_resources_are_invisible_and_untouchable(network, admin,
                                                                   two_projects):
    a, b, owned = two_projects
    admin_client = network.client(admin.token)
    for collection, resource in RESOURCES.items():
        item_id = owned[collection]['id']
        assert b.get(f'/v2.0/{collection}/{item_id}').status_code == 404, collection
        listed = b.get(f'/v2.0/{collection}').json()[collection.replace('-', '_')]
        assert item_id not in {i['id'] for i in listed}, collection
        assert b.put(f'/v2.0/{collection}/{item_id}',
                     json={resource: {'name': 'stolen'}}).status_code == 404, collection
        assert b.delete(f'/v2.0/{collection}/{item_id}').status_code == 404, collection
        assert a.get(f'/v2.0/{collection}/{item_id}').json()[resource]['name'] != 'stolen'
        assert admin_client.get(f'/v2.0/{collection}/{item_id}').status_code == 200


def test_port_only_on_own_or_shared_networks(network, admin, two_projects):
    a, b, owned = two_projects
    response = b.post('/v2.0/ports', json={'port': {'network_id': owned['networks']['id']}})
    assert response.status_code == 404
    assert response.json()['NeutronError']['type'] == 'NetworkNotFound'
    admin_client = network.client(admin.token)
    shared = admin_client.post('/v2.0/networks', json={'network': {
        'name': 'shared', 'shared': True}}).json()['network']
    admin_client.post('/v2.0/subnets', json={'subnet': {
        'network_id': shared['id'], 'cidr': '10.31.0.0/24', 'ip_version': 4}})
    port = b.post('/v2.0/ports', json={'port': {'network_id': shared['id']}})
    assert port.status_code == 201, port.text
    assert a.get(f"/v2.0/ports/{port.json()['port']['id']}").status_code == 404
    assert b.delete(f"/v2.0/networks/{shared['id']}").status_code == 403


def test_members_cannot_share_or_see_provider_attributes(network, two_projects):
    a, _, owned = two_projects
    response = a.post('/v2.0/networks', json={'network': {'shared': True}})
    assert response.status_code == 403
    shown = a.get(f"/v2.0/networks/{owned['networks']['id']}").json()['network']
    assert not any(key.startswith('provider:') for key in shown)
