"""``/os-aggregates``: CRUD, hosts, metadata, and Nova's zone rules."""
import pytest

from tests.unit.compute import host_factories as f
from tests.unit.compute.api.admin_client import AdminApi

URL = '/v2.1/os-aggregates'


@pytest.fixture
def admin(api):
    return AdminApi(api)


@pytest.fixture
def hosts(env):
    with env.db.writer() as session:
        for host in ('h1', 'h2'):
            f.add_agent(session, host)
        f.add_conductor(session)


def _create(admin, name='agg1', zone=None):
    body = {'name': name}
    if zone is not None:
        body['availability_zone'] = zone
    response = admin.post(URL, {'aggregate': body})
    assert response.status_code == 200, response.json
    return response.json['aggregate']


def _action(admin, aggregate_id, name, args, **kw):
    return admin.post(f'{URL}/{aggregate_id}/action', {name: args}, **kw)


def test_create_answers_200_without_hosts_and_metadata(admin):
    body = _create(admin, zone='az1')
    assert set(body) == {'id', 'uuid', 'name', 'availability_zone', 'created_at',
                         'updated_at', 'deleted_at', 'deleted'}
    assert (body['name'], body['availability_zone'], body['deleted']) == ('agg1', 'az1', False)


def test_show_has_hosts_and_metadata_and_uuid_only_from_2_41(admin):
    created = _create(admin, zone='az1')
    body = admin.get(f'{URL}/{created["id"]}').json['aggregate']
    assert body['hosts'] == [] and body['metadata'] == {'availability_zone': 'az1'}
    assert body['uuid'] == created['uuid']
    old = admin.get(f'{URL}/{created["id"]}', version='2.40').json['aggregate']
    assert 'uuid' not in old


def test_list(admin):
    _create(admin, 'a')
    _create(admin, 'b')
    assert [a['name'] for a in admin.get(URL).json['aggregates']] == ['a', 'b']


def test_duplicate_name_is_409(admin):
    _create(admin)
    response = admin.post(URL, {'aggregate': {'name': 'agg1'}})
    assert response.status_code == 409
    assert response.json['conflictingRequest']['message'] == 'Aggregate agg1 already exists.'


@pytest.mark.parametrize('body', [
    {'aggregate': {}}, {'aggregate': {'name': ''}}, {'aggregate': {'name': ' lead'}},
    {'aggregate': {'name': 'a', 'availability_zone': 'a:b'}},
    {'aggregate': {'name': 'a', 'bogus': 1}}, {'name': 'a'}])
def test_invalid_create_is_400(admin, body):
    response = admin.post(URL, body)
    assert response.status_code == 400
    assert 'badRequest' in response.json


def test_unknown_and_malformed_ids(admin):
    assert admin.get(f'{URL}/999').status_code == 404
    assert admin.get(f'{URL}/name').status_code == 400


def test_update_renames_and_moves_the_zone(admin):
    created = _create(admin)
    response = admin.put(f'{URL}/{created["id"]}',
                         {'aggregate': {'name': ' renamed ', 'availability_zone': 'az2'}})
    assert response.status_code == 200
    body = response.json['aggregate']
    assert (body['name'], body['availability_zone']) == ('renamed', 'az2')
    assert body['metadata'] == {'availability_zone': 'az2'}


def test_update_needs_a_field_and_a_free_name(admin):
    first, second = _create(admin, 'a'), _create(admin, 'b')
    assert admin.put(f'{URL}/{first["id"]}', {'aggregate': {}}).status_code == 400
    assert admin.put(f'{URL}/{first["id"]}',
                     {'aggregate': {'name': 'b'}}).status_code == 409
    assert admin.put(f'{URL}/{second["id"]}',
                     {'aggregate': {'availability_zone': None}}).status_code == 400


def test_add_and_remove_host(admin, hosts):
    agg = _create(admin, zone='az1')
    response = _action(admin, agg['id'], 'add_host', {'host': 'h1'})
    assert response.status_code == 200
    assert response.json['aggregate']['hosts'] == ['h1']
    again = _action(admin, agg['id'], 'add_host', {'host': 'h1'})
    assert again.status_code == 409
    response = _action(admin, agg['id'], 'remove_host', {'host': 'h1'})
    assert response.status_code == 200
    assert response.json['aggregate']['hosts'] == []
    assert _action(admin, agg['id'], 'remove_host', {'host': 'h1'}).status_code == 404


def test_add_host_needs_a_compute_service(admin, hosts):
    agg = _create(admin)
    for host in ('nohost', 'ctl'):             # unknown, and a conductor's host
        response = _action(admin, agg['id'], 'add_host', {'host': host})
        assert response.status_code == 404
        assert response.json['itemNotFound']['message'] == \
            f'Compute host {host} could not be found.'
    assert _action(admin, 999, 'add_host', {'host': 'h1'}).status_code == 404


def test_a_host_cannot_be_in_two_zones(admin, hosts):
    az1, az2, plain = _create(admin, 'a', 'az1'), _create(admin, 'b', 'az2'), _create(admin, 'c')
    assert _action(admin, az1['id'], 'add_host', {'host': 'h1'}).status_code == 200
    response = _action(admin, az2['id'], 'add_host', {'host': 'h1'})
    assert response.status_code == 409
    assert "already in availability zone(s) ['az1']" in \
        response.json['conflictingRequest']['message']
    assert _action(admin, plain['id'], 'add_host', {'host': 'h1'}).status_code == 200
    # Zoning the plain aggregate differently would move h1 out of az1 too.
    response = admin.put(f'{URL}/{plain["id"]}', {'aggregate': {'availability_zone': 'az2'}})
    assert response.status_code == 400
    response = _action(admin, plain['id'], 'set_metadata',
                       {'metadata': {'availability_zone': 'az2'}})
    assert response.status_code == 400


def test_zone_of_a_host_with_servers_does_not_change(env, admin, hosts):
    with env.db.writer() as session:
        f.add_server(session, host='h1')
    zoned = _create(admin, 'a', 'az1')
    response = _action(admin, zoned['id'], 'add_host', {'host': 'h1'})
    assert response.status_code == 409
    plain = _create(admin, 'p')
    assert _action(admin, plain['id'], 'add_host', {'host': 'h1'}).status_code == 200
    response = _action(admin, plain['id'], 'set_metadata',
                       {'metadata': {'availability_zone': 'az9'}})
    assert response.status_code == 400
    assert 'contain instances' in response.json['badRequest']['message']


def test_set_metadata_sets_and_null_removes(admin):
    agg = _create(admin)
    response = _action(admin, agg['id'], 'set_metadata',
                       {'metadata': {'ssd': 'true', 'gpu': 'no'}})
    assert response.json['aggregate']['metadata'] == {'ssd': 'true', 'gpu': 'no'}
    response = _action(admin, agg['id'], 'set_metadata',
                       {'metadata': {'ssd': None, 'gpu': 'yes', 'absent': None}})
    assert response.status_code == 200
    assert response.json['aggregate']['metadata'] == {'gpu': 'yes'}


def test_set_metadata_availability_zone_moves_the_zone(admin):
    agg = _create(admin, zone='az1')
    response = _action(admin, agg['id'], 'set_metadata',
                       {'metadata': {'availability_zone': 'az2'}})
    assert response.json['aggregate']['availability_zone'] == 'az2'


@pytest.mark.parametrize('body', [
    {'add_host': {}}, {'add_host': {'host': 'a b'}}, {'set_metadata': {'metadata': 'x'}},
    {'set_metadata': {'metadata': {'bad/key': 'v'}}}, {'unknown': {}}, {},
    {'add_host': {'host': 'h1'}, 'remove_host': {'host': 'h1'}}])
def test_invalid_actions_are_400(admin, body):
    agg = _create(admin)
    response = admin.post(f'{URL}/{agg["id"]}/action', body)
    assert response.status_code == 400
    assert 'badRequest' in response.json


def test_delete_empty_aggregate_answers_200_a_non_empty_one_400(admin, hosts):
    agg = _create(admin, zone='az1')
    _action(admin, agg['id'], 'add_host', {'host': 'h1'})
    response = admin.delete(f'{URL}/{agg["id"]}')
    assert response.status_code == 400
    assert 'not empty' in response.json['badRequest']['message']
    _action(admin, agg['id'], 'remove_host', {'host': 'h1'})
    assert admin.delete(f'{URL}/{agg["id"]}').status_code == 200
    assert admin.get(f'{URL}/{agg["id"]}').status_code == 404
    assert admin.delete(f'{URL}/{agg["id"]}').status_code == 404


@pytest.mark.parametrize('persona', ['member', 'reader', 'project_admin'])
def test_aggregates_are_for_cloud_admins(api, persona):
    assert api.get(URL, as_=persona).status_code == 403
    response = api.post(URL, {'aggregate': {'name': 'x'}}, as_=persona)
    assert response.status_code == 403
    assert 'forbidden' in response.json
