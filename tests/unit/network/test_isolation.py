"""Tenant isolation: another project's resources are invisible and untouchable.

Project Q (``other_member``) must get 404 for P's networks, subnets, ports
and security groups on show, update and delete, and not find them in
lists; shared and external networks are the documented exceptions; a
cloud admin sees everything.
"""
import pytest


@pytest.fixture
def owned(api):
    net = api.network(name='p-net')
    subnet = api.subnet(net['id'])
    port = api.port(net['id'])
    group = api.post('/v2.0/security-groups', json={'security_group': {'name': 'p-sg'}})\
        .get_json()['security_group']
    rule = api.post('/v2.0/security-group-rules', json={'security_group_rule': {
        'security_group_id': group['id'], 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 80, 'port_range_max': 80}}).get_json()['security_group_rule']
    return {'networks': net, 'subnets': subnet, 'ports': port, 'security-groups': group,
            'security-group-rules': rule}


RESOURCES = ('networks', 'subnets', 'ports', 'security-groups', 'security-group-rules')
UPDATABLE = {'networks': 'network', 'subnets': 'subnet', 'ports': 'port',
             'security-groups': 'security_group'}


@pytest.mark.parametrize('collection', RESOURCES)
def test_invisible_to_another_project(api, owned, collection):
    item = owned[collection]
    assert api.get(f"/v2.0/{collection}/{item['id']}", as_='other_member').status_code == 404
    key = collection.replace('-', '_')
    listed = api.get(f'/v2.0/{collection}', as_='other_member').get_json()[key]
    assert item['id'] not in {i['id'] for i in listed}
    by_id = api.get(f"/v2.0/{collection}?id={item['id']}", as_='other_member').get_json()[key]
    assert by_id == []


@pytest.mark.parametrize('collection', RESOURCES)
def test_untouchable_by_another_project(api, owned, collection):
    item = owned[collection]
    if collection in UPDATABLE:
        response = api.put(f"/v2.0/{collection}/{item['id']}", as_='other_member',
                           json={UPDATABLE[collection]: {'name': 'stolen'}})
        assert response.status_code == 404
    assert api.delete(f"/v2.0/{collection}/{item['id']}", as_='other_member')\
        .status_code == 404
    assert api.get(f"/v2.0/{collection}/{item['id']}").status_code == 200


@pytest.mark.parametrize('collection', RESOURCES)
def test_admin_sees_everything(api, owned, collection):
    item = owned[collection]
    assert api.get(f"/v2.0/{collection}/{item['id']}", as_='cloud_admin').status_code == 200


def test_project_admin_is_not_a_cloud_admin(api, owned):
    net = api.network(as_='other_member')
    assert api.get(f"/v2.0/networks/{net['id']}", as_='project_admin').status_code == 404


def test_no_port_on_another_projects_network(api, owned):
    response = api.post('/v2.0/ports', as_='other_member',
                        json={'port': {'network_id': owned['networks']['id']}})
    assert response.status_code == 404
    assert response.get_json()['NeutronError']['type'] == 'NetworkNotFound'


def test_no_port_for_another_project(api, owned):
    response = api.post('/v2.0/ports', as_='other_member', json={'port': {
        'network_id': owned['networks']['id'], 'project_id': 'project-p'}})
    assert response.status_code == 403


def test_shared_network_is_visible_and_usable_but_not_changeable(api):
    net = api.network(as_='cloud_admin', shared=True, name='shared')
    subnet = api.subnet(net['id'], as_='cloud_admin')
    assert api.get(f"/v2.0/networks/{net['id']}", as_='other_member').status_code == 200
    assert api.get(f"/v2.0/subnets/{subnet['id']}", as_='other_member').status_code == 200
    port = api.port(net['id'], as_='other_member')
    assert port['project_id'] == 'project-q'
    assert api.put(f"/v2.0/networks/{net['id']}", as_='other_member',
                   json={'network': {'name': 'mine'}}).status_code == 403
    assert api.delete(f"/v2.0/networks/{net['id']}", as_='other_member').status_code == 403
    # Q's port on it is invisible to P, though both use the network.
    assert api.get(f"/v2.0/ports/{port['id']}").status_code == 404


def test_external_network_is_visible_but_its_subnets_are_not(api):
    net = api.network(as_='cloud_admin', **{'router:external': True})
    subnet = api.subnet(net['id'], as_='cloud_admin', cidr='172.24.4.0/24')
    external = api.get('/v2.0/networks?router:external=True').get_json()['networks']
    assert [n['id'] for n in external] == [net['id']]
    assert api.get(f"/v2.0/subnets/{subnet['id']}").status_code == 404
    assert api.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).status_code == 404


def test_reader_cannot_write(api, owned):
    assert api.get(f"/v2.0/networks/{owned['networks']['id']}", as_='reader').status_code == 200
    assert api.post('/v2.0/networks', json={'network': {}}, as_='reader').status_code == 403
    assert api.delete(f"/v2.0/ports/{owned['ports']['id']}", as_='reader').status_code == 403


def test_unknown_role_reads_nothing(api, owned):
    assert api.get('/v2.0/networks', as_='foo').status_code == 403


def test_owner_of_a_shared_network_does_not_see_other_projects_ports(api):
    net = api.network(as_='cloud_admin', project_id='project-p', shared=True)
    api.subnet(net['id'], as_='cloud_admin')
    port = api.port(net['id'], as_='other_member')
    assert api.get(f"/v2.0/ports/{port['id']}").status_code == 404
    assert api.get('/v2.0/ports').get_json()['ports'] == []
    response = api.delete(f"/v2.0/networks/{net['id']}", as_='cloud_admin')
    assert response.status_code == 409
