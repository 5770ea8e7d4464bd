"""Networks: provider attributes, segments, MTU, sharing, deletes."""
import sqlalchemy as sa

from network.db import models as m


def test_member_gets_a_vxlan_network_without_seeing_provider_attributes(env, api):
    net = api.network()
    assert net['mtu'] == 1450 and net['port_security_enabled'] is True
    assert not any(k.startswith('provider:') for k in net)
    shown = api.get(f"/v2.0/networks/{net['id']}", as_='cloud_admin').get_json()['network']
    assert shown['provider:network_type'] == 'vxlan'
    assert 1 <= shown['provider:segmentation_id'] <= 16777215
    assert shown['provider:physical_network'] is None


def test_provider_attributes_are_admin_only(api):
    response = api.post('/v2.0/networks', json={'network': {
        'provider:network_type': 'flat', 'provider:physical_network': 'public'}})
    assert response.status_code == 403
    net = api.network(as_='cloud_admin', **{'provider:network_type': 'flat',
                                            'provider:physical_network': 'public'})
    assert net['mtu'] == 1500 and net['provider:network_type'] == 'flat'


def test_provider_filters_are_ignored_for_members(api):
    api.network()
    assert len(api.get('/v2.0/networks?provider:network_type=flat')
               .get_json()['networks']) == 1
    assert api.get('/v2.0/networks?provider:network_type=flat', as_='cloud_admin')\
        .get_json()['networks'] == []


def test_chosen_segmentation_id_twice_is_409(api):
    attrs = {'provider:network_type': 'vxlan', 'provider:segmentation_id': 77}
    api.network(as_='cloud_admin', **attrs)
    response = api.post('/v2.0/networks', json={'network': attrs}, as_='cloud_admin')
    assert response.status_code == 409


def test_vxlan_ids_are_allocated_uniquely_from_a_range(make_env):
    env = make_env(vni_min=10, vni_max=12)
    for _ in range(3):
        env.api.network()
    response = env.api.post('/v2.0/networks', json={'network': {}})
    assert response.status_code == 503
    with env.db.reader() as session:
        ids = sorted(session.execute(sa.select(m.Network.segmentation_id)).scalars())
    assert ids == [10, 11, 12]


def test_invalid_provider_combinations_are_400(api):
    for attrs in ({'provider:network_type': 'flat'},
                  {'provider:network_type': 'vxlan', 'provider:physical_network': 'x'},
                  {'provider:network_type': 'local', 'provider:segmentation_id': 5},
                  {'provider:network_type': 'vlan'},
                  {'provider:network_type': 'vxlan', 'provider:segmentation_id': 16777216}):
        response = api.post('/v2.0/networks', json={'network': attrs}, as_='cloud_admin')
        assert response.status_code == 400, attrs


def test_mtu_within_limits(api):
    assert api.network(mtu=1400)['mtu'] == 1400
    assert api.post('/v2.0/networks', json={'network': {'mtu': 1500}}).status_code == 400


def test_shared_and_external_need_admin(api):
    for key in ('shared', 'router:external'):
        response = api.post('/v2.0/networks', json={'network': {key: True}})
        assert response.status_code == 403
    net = api.network()
    assert api.put(f"/v2.0/networks/{net['id']}", json={'network': {'shared': True}})\
        .status_code == 403
    assert api.put(f"/v2.0/networks/{net['id']}", json={'network': {'name': 'x'}})\
        .get_json()['network']['revision_number'] == 1


def test_unknown_attribute_and_bad_type_are_400(api):
    assert api.post('/v2.0/networks', json={'network': {'bogus': 1}}).status_code == 400
    assert api.post('/v2.0/networks', json={'network': {'admin_state_up': 'x'}})\
        .status_code == 400
    assert api.post('/v2.0/networks', json={'net': {}}).status_code == 400
    assert api.post('/v2.0/networks', data='{', content_type='application/json')\
        .status_code == 400


def test_null_name_and_description_are_accepted(api):
    net = api.network(name=None, description=None)
    assert net['name'] == '' and net['description'] == ''


def test_network_lists_its_subnets(api):
    net = api.network()
    subnet = api.subnet(net['id'])
    assert api.get(f"/v2.0/networks/{net['id']}").get_json()['network']['subnets'] == [
        subnet['id']]


def test_delete_with_a_port_in_use_is_409_and_changes_nothing(api):
    net = api.network()
    subnet = api.subnet(net['id'])
    api.port(net['id'])
    response = api.delete(f"/v2.0/networks/{net['id']}")
    assert response.status_code == 409
    assert response.get_json()['NeutronError']['type'] == 'NetworkInUse'
    assert api.get(f"/v2.0/subnets/{subnet['id']}").status_code == 200


def test_delete_removes_service_owned_ports_and_subnets(env, api):
    net = api.network()
    subnet = api.subnet(net['id'])
    api.port(net['id'], as_='cloud_admin', project_id='project-p', device_owner='network:dhcp')
    assert api.delete(f"/v2.0/networks/{net['id']}").status_code == 204
    assert api.get(f"/v2.0/subnets/{subnet['id']}").status_code == 404
    with env.db.reader() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(m.Port)).scalar() == 0


def test_no_tags_without_the_tag_extension(api):
    aliases = {e['alias'] for e in api.get('/v2.0/extensions').get_json()['extensions']}
    assert 'standard-attr-tag' not in aliases
    network = api.network()
    assert 'tags' not in network
    assert 'tags' not in api.subnet(network['id'])
