"""/servers/{id}/tags (2.26): list, replace, add, check, remove; limits and isolation."""
import pytest

from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import make_server


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


@pytest.fixture
def uuid(cloud):
    return make_server(cloud)


def _path(uuid, tag=None):
    return f'/v2.1/servers/{uuid}/tags' + (f'/{tag}' if tag else '')


def test_tags_need_2_26(cloud, uuid):
    assert cloud.api.get(_path(uuid), version='2.25').status_code == 404
    assert cloud.api.put(_path(uuid, 'a'), version='2.25').status_code == 404
    assert cloud.api.get(_path(uuid), version='2.26').json == {'tags': []}


def test_replace_add_check_and_remove(cloud, uuid):
    api = cloud.api
    response = api.put(_path(uuid), {'tags': ['b', 'a', 'b']}, version='2.26')
    assert (response.status_code, response.json) == (200, {'tags': ['a', 'b']})
    response = api.put(_path(uuid, 'c'), version='2.26')
    assert response.status_code == 201
    assert response.headers['Location'].endswith(f'/v2.1/servers/{uuid}/tags/c')
    assert api.put(_path(uuid, 'c'), version='2.26').status_code == 204
    assert api.get(_path(uuid, 'c'), version='2.26', as_='reader').status_code == 204
    assert api.get(_path(uuid, 'zz'), version='2.26').status_code == 404
    assert api.delete(_path(uuid, 'a'), version='2.26').status_code == 204
    assert api.delete(_path(uuid, 'a'), version='2.26').status_code == 404
    assert api.get(_path(uuid), version='2.26').json == {'tags': ['b', 'c']}
    assert api.get(f'/v2.1/servers/{uuid}', version='2.26').json['server']['tags'] == \
        ['b', 'c']
    assert api.delete(_path(uuid), version='2.26').status_code == 204
    assert api.get(_path(uuid), version='2.26').json == {'tags': []}


def test_limits_and_characters(cloud, uuid):
    api = cloud.api
    assert api.put(_path(uuid), {'tags': ['a,b']}, version='2.26').status_code == 400
    assert api.put(_path(uuid, 'x' * 61), version='2.26').status_code == 400
    assert api.put(_path(uuid), {'tags': [str(i) for i in range(51)]},
                   version='2.26').status_code == 400
    assert api.put(_path(uuid), {'tags': [str(i) for i in range(50)]},
                   version='2.26').status_code == 200
    response = api.put(_path(uuid, 'one-more'), version='2.26')
    assert response.status_code == 400
    assert response.json['badRequest']['message'] == \
        'The number of tags exceeded the per-server limit 50'


def test_changes_need_a_settled_server(cloud):
    uuid = make_server(cloud, task_state='rebooting')
    response = cloud.api.put(_path(uuid, 'a'), version='2.26')
    assert response.status_code == 409
    assert 'task_state rebooting' in response.json['conflictingRequest']['message']


def test_roles_and_isolation(cloud, uuid):
    assert cloud.api.put(_path(uuid, 'a'), version='2.26', as_='reader').status_code == 403
    for persona in ('other_member', 'other_reader'):
        assert cloud.api.get(_path(uuid), version='2.26', as_=persona).status_code == 404
        assert cloud.api.put(_path(uuid, 'a'), version='2.26', as_=persona).status_code == 404
        assert cloud.api.delete(_path(uuid), version='2.26', as_=persona).status_code == 404
