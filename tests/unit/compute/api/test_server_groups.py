"""``/os-server-groups``: create, list, show, delete, quota and isolation."""
import pytest
import sqlalchemy as sa

from compute.db import models as m
from tests.unit.compute import host_factories as f

URL = '/v2.1/os-server-groups'


def _create(api, name='g', policy='anti-affinity', as_='member', version='2.60'):
    return api.post(URL, {'server_group': {'name': name, 'policies': [policy]}}, as_=as_,
                    version=version)


def test_create_answers_200_with_the_group(api):
    response = _create(api)
    assert response.status_code == 200
    body = response.json['server_group']
    assert body == {'id': body['id'], 'name': 'g', 'policies': ['anti-affinity'],
                    'members': [], 'metadata': {}, 'project_id': 'project-p',
                    'user_id': 'user-member'}


def test_project_and_user_appear_from_2_13(api):
    body = _create(api, version='2.12').json['server_group']
    assert 'project_id' not in body and 'user_id' not in body


def test_soft_policies_need_2_15(api):
    assert _create(api, policy='soft-affinity', version='2.14').status_code == 400
    assert _create(api, policy='soft-affinity', version='2.15').status_code == 200


@pytest.mark.parametrize('body', [
    {'server_group': {'name': 'g'}}, {'server_group': {'name': 'g', 'policies': []}},
    {'server_group': {'name': 'g', 'policies': ['affinity', 'anti-affinity']}},
    {'server_group': {'name': 'g', 'policies': ['legacy']}},
    {'server_group': {'name': '', 'policies': ['affinity']}},
    {'server_group': {'name': 'g', 'policy': 'affinity'}}])
def test_invalid_creates_are_400(api, body):
    response = api.post(URL, body, version='2.60')
    assert response.status_code == 400
    assert 'badRequest' in response.json


def test_quota_limits_groups_per_project(make_env):
    api = make_env(quota__server_groups=1).api
    assert _create(api).status_code == 200
    response = _create(api)
    assert response.status_code == 403
    assert 'server groups' in response.json['forbidden']['message']
    assert _create(api, as_='other_member').status_code == 200


def test_show_lists_members_that_are_not_deleted(env, api):
    group_id = _create(api).json['server_group']['id']
    with env.db.writer() as session:
        group = session.execute(sa.select(m.ServerGroup).where(
            m.ServerGroup.uuid == group_id)).scalar_one()
        alive = f.add_server(session, name='alive')
        gone = f.add_server(session, name='gone', deleted_at=f.T0)
        for server in (alive, gone):
            session.add(m.ServerGroupMember(group_id=group.id, instance_uuid=server.uuid))
        alive_uuid = alive.uuid
    body = api.get(f'{URL}/{group_id}', as_='reader').json['server_group']
    assert body['members'] == [alive_uuid]
    assert api.get(URL, as_='reader').json['server_groups'][0]['members'] == [alive_uuid]


def test_list_shows_own_project_all_projects_for_admins(api):
    _create(api, 'mine')
    _create(api, 'theirs', as_='other_member')
    assert [g['name'] for g in api.get(URL).json['server_groups']] == ['mine']
    assert [g['name'] for g in api.get(f'{URL}?all_projects=True').json['server_groups']] \
        == ['mine']
    everyone = api.get(f'{URL}?all_projects=True', as_='cloud_admin').json['server_groups']
    assert [g['name'] for g in everyone] == ['mine', 'theirs']
    assert api.get(URL, as_='cloud_admin').json['server_groups'] == []


def test_list_limit_and_offset(api):
    for name in 'abc':
        _create(api, name)
    page = api.get(f'{URL}?limit=2&offset=1').json['server_groups']
    assert [g['name'] for g in page] == ['b', 'c']
    assert api.get(f'{URL}?limit=-1').status_code == 400


def test_another_projects_group_is_404(api):
    group_id = _create(api).json['server_group']['id']
    assert api.get(f'{URL}/{group_id}', as_='other_member').status_code == 404
    assert api.delete(f'{URL}/{group_id}', as_='other_member').status_code == 404
    assert api.get(f'{URL}/{group_id}', as_='cloud_admin').status_code == 200


def test_delete(api):
    group_id = _create(api).json['server_group']['id']
    assert api.delete(f'{URL}/{group_id}', as_='reader').status_code == 403
    assert api.delete(f'{URL}/{group_id}').status_code == 204
    response = api.get(f'{URL}/{group_id}')
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == \
        f'Instance group {group_id} could not be found.'


def test_readers_cannot_create(api):
    assert _create(api, as_='reader').status_code == 403
