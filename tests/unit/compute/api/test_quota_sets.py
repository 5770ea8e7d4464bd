"""``os-quota-sets``: show, detail, defaults, update and reset, per microversion."""
import pytest

from tests.unit.compute.test_quotas import add_instance
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT

BASE = f'/v2.1/os-quota-sets/{PROJECT}'
V21_FIELDS = {'id', 'cores', 'fixed_ips', 'floating_ips', 'injected_file_content_bytes',
              'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs',
              'metadata_items', 'ram', 'security_group_rules', 'security_groups',
              'server_group_members', 'server_groups'}
NETWORK = {'fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'}
INJECTED = {'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'}


@pytest.mark.parametrize('version,fields', [
    (None, V21_FIELDS), ('2.35', V21_FIELDS), ('2.36', V21_FIELDS - NETWORK),
    ('2.57', V21_FIELDS - NETWORK - INJECTED)])
def test_fields_follow_the_version(api, version, fields):
    body = api.get(BASE, version=version).json['quota_set']
    assert set(body) == fields
    assert body['id'] == PROJECT


def test_show_gives_the_defaults_and_network_quotas_as_unlimited(api):
    body = api.get(BASE).json['quota_set']
    assert (body['instances'], body['cores'], body['ram'], body['key_pairs']) == \
        (10, 20, 51200, 100)
    assert body['injected_file_path_bytes'] == 255
    assert body['floating_ips'] == -1


def test_detail_shows_usage(api, env):
    with env.db.writer() as session:
        add_instance(session, project_id=PROJECT, vcpus=2, ram=256)
    body = api.get(f'{BASE}/detail', version='2.56').json['quota_set']
    assert body['cores'] == {'in_use': 2, 'limit': 20, 'reserved': 0}
    assert body['instances'] == {'in_use': 1, 'limit': 10, 'reserved': 0}
    assert body['id'] == PROJECT


def test_defaults_ignore_overrides(api):
    api.put(BASE, {'quota_set': {'instances': 2}}, as_='cloud_admin')
    assert api.get(f'{BASE}/defaults').json['quota_set']['instances'] == 10
    assert api.get(BASE).json['quota_set']['instances'] == 2


def test_update_as_the_sdk_sends_it(api):
    response = api.put(BASE, {'quota_set': {'instances': '5', 'cores': 8, 'force': 'True'}},
                       as_='cloud_admin', version='2.56')
    assert response.status_code == 200
    body = response.json['quota_set']
    assert 'id' not in body
    assert (body['instances'], body['cores']) == (5, 8)
    assert api.get(BASE, as_='reader').json['quota_set']['instances'] == 5


def test_update_below_usage_needs_force(api, env):
    with env.db.writer() as session:
        add_instance(session, project_id=PROJECT)
        add_instance(session, project_id=PROJECT)
    refused = api.put(BASE, {'quota_set': {'instances': 1}}, as_='cloud_admin')
    assert refused.status_code == 400
    assert 'must be greater than or equal to already used' in \
        refused.json['badRequest']['message']
    forced = api.put(BASE, {'quota_set': {'instances': 1, 'force': True}}, as_='cloud_admin')
    assert forced.json['quota_set']['instances'] == 1


@pytest.mark.parametrize('version,body', [
    (None, {'instances': -2}), (None, {'instances': 'many'}), (None, {'gpus': 1}),
    ('2.36', {'floating_ips': 10}), ('2.57', {'injected_files': 10}),
    (None, {'force': 'perhaps'})])
def test_invalid_updates_are_400(api, version, body):
    response = api.put(BASE, {'quota_set': body}, as_='cloud_admin', version=version)
    assert response.status_code == 400


def test_network_quotas_are_accepted_below_2_36_and_stay_unlimited(api):
    response = api.put(BASE, {'quota_set': {'floating_ips': 10}}, as_='cloud_admin')
    assert response.status_code == 200
    assert response.json['quota_set']['floating_ips'] == -1


def test_per_user_quotas_are_refused(api):
    response = api.put(f'{BASE}?user_id=u', {'quota_set': {'instances': 1}}, as_='cloud_admin')
    assert response.status_code == 400


def test_delete_resets_to_defaults(api):
    api.put(BASE, {'quota_set': {'instances': 2}}, as_='cloud_admin')
    assert api.delete(BASE, as_='member').status_code == 403
    assert api.delete(BASE, as_='cloud_admin').status_code == 202
    assert api.get(BASE).json['quota_set']['instances'] == 10


@pytest.mark.parametrize('persona', ['member', 'project_admin', 'other_member'])
def test_only_cloud_admins_set_quotas(api, persona):
    response = api.put(BASE, {'quota_set': {'instances': 100}}, as_=persona)
    assert response.status_code == 403


def test_projects_read_only_their_own(api):
    assert api.get(BASE, as_='reader').status_code == 200
    assert api.get(f'{BASE}/detail', as_='other_member').status_code == 403
    assert api.get(BASE, as_='other_member').status_code == 403
    assert api.get(f'/v2.1/os-quota-sets/{OTHER_PROJECT}', as_='cloud_admin').status_code == 200



def test_update_for_a_project_identity_does_not_know_is_refused(api, env):
    env.projects.missing.add('no-such-project')
    response = api.put('/v2.1/os-quota-sets/no-such-project', {'quota_set': {'instances': 3}},
                       as_='cloud_admin')
    assert response.status_code == 400
    assert response.json['badRequest']['message'] == \
        'Project ID no-such-project is not a valid project.'
    assert api.get('/v2.1/os-quota-sets/no-such-project',
                   as_='cloud_admin').json['quota_set']['instances'] == 10
