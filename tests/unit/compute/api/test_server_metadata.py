"""/servers/{id}/metadata: read, merge, replace, per key; quota, states, isolation."""
import pytest

from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import make_server


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


@pytest.fixture
def uuid(cloud):
    return make_server(cloud)


def _path(uuid, key=None):
    return f'/v2.1/servers/{uuid}/metadata' + (f'/{key}' if key else '')


def test_merge_replace_and_read(cloud, uuid):
    api = cloud.api
    assert api.get(_path(uuid)).json == {'metadata': {}}
    response = api.post(_path(uuid), {'metadata': {'a': '1', 'b': '2'}})
    assert response.status_code == 200
    assert response.json == {'metadata': {'a': '1', 'b': '2'}}
    response = api.post(_path(uuid), {'metadata': {'b': '3', 'c': '4'}})
    assert response.json == {'metadata': {'a': '1', 'b': '3', 'c': '4'}}
    response = api.put(_path(uuid), {'metadata': {'z': '9'}})
    assert response.json == {'metadata': {'z': '9'}}
    assert api.get(_path(uuid), as_='reader').json == {'metadata': {'z': '9'}}
    assert api.get(f'/v2.1/servers/{uuid}').json['server']['metadata'] == {'z': '9'}


def test_single_items(cloud, uuid):
    api = cloud.api
    response = api.put(_path(uuid, 'k'), {'meta': {'k': 'v'}})
    assert (response.status_code, response.json) == (200, {'meta': {'k': 'v'}})
    assert api.get(_path(uuid, 'k')).json == {'meta': {'k': 'v'}}
    assert api.delete(_path(uuid, 'k')).status_code == 204
    response = api.get(_path(uuid, 'k'))
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == 'Metadata item was not found'
    assert api.delete(_path(uuid, 'k')).status_code == 404


@pytest.mark.parametrize('key, body, message', [
    ('k', {'meta': {'other': 'v'}}, 'Request body and URI mismatch'),
    ('k', {'meta': {'k': 'v', 'l': 'w'}}, "'meta'"),
    ('k', {'meta': {'k': 5}}, "'meta.k'"),
    ('k', {'meta': {'k': 'v' * 256}}, "'meta.k'"),
])
def test_invalid_items_are_400(cloud, uuid, key, body, message):
    response = cloud.api.put(_path(uuid, key), body)
    assert response.status_code == 400
    assert message in response.json['badRequest']['message']


def test_metadata_items_quota(make_env):
    cloud = fakes.prepare(make_env(quota__metadata_items=2))
    uuid = make_server(cloud)
    assert cloud.api.post(_path(uuid), {'metadata': {'a': '1', 'b': '2'}}).status_code == 200
    response = cloud.api.post(_path(uuid), {'metadata': {'c': '3'}})
    assert response.status_code == 403
    assert cloud.api.put(_path(uuid, 'a'), {'meta': {'a': 'x'}}).status_code == 200


def test_changes_need_a_settled_unlocked_server(cloud):
    building = make_server(cloud, vm_state='building', task_state='scheduling', host=None)
    response = cloud.api.post(_path(building), {'metadata': {'a': '1'}})
    assert response.status_code == 409
    assert response.json['conflictingRequest']['message'] == \
        f"Cannot 'update metadata' instance {building} while it is in vm_state building"
    locked = make_server(cloud, locked=True)
    assert cloud.api.post(_path(locked), {'metadata': {'a': '1'}}).status_code == 409
    assert cloud.api.post(_path(locked), {'metadata': {'a': '1'}},
                          as_='cloud_admin').status_code == 200


def test_roles_and_isolation(cloud, uuid):
    assert cloud.api.post(_path(uuid), {'metadata': {'a': '1'}}, as_='reader').status_code == 403
    for persona in ('other_member', 'other_reader'):
        assert cloud.api.get(_path(uuid), as_=persona).status_code == 404
        assert cloud.api.put(_path(uuid, 'a'), {'meta': {'a': '2'}},
                             as_=persona).status_code == 404
        assert cloud.api.delete(_path(uuid, 'a'), as_=persona).status_code == 404
