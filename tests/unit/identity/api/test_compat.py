"""What OpenStack clients send and expect, across the identity API (API_COMPAT §0, §2)."""
import pytest

from tests.unit.identity import factories as f

NULLS = {
    '/v3/projects': {'project': {'name': None, 'description': None, 'domain_id': None,
                                 'parent_id': None, 'tags': None, 'options': None,
                                 'id': None}},
    '/v3/users': {'user': {'name': None, 'description': None, 'domain_id': None,
                           'default_project_id': None, 'email': None, 'options': None,
                           'id': None, 'password': None}},
    '/v3/groups': {'group': {'name': None, 'description': None, 'domain_id': None}},
    '/v3/roles': {'role': {'name': None, 'description': None, 'domain_id': None,
                           'options': None}},
    '/v3/domains': {'domain': {'name': None, 'description': None, 'tags': None,
                               'options': None, 'id': None}},
    '/v3/regions': {'region': {'id': None, 'description': None, 'parent_region_id': None}},
    '/v3/services': {'service': {'type': 'image', 'name': None, 'description': None}},
}


@pytest.mark.parametrize('path', sorted(NULLS))
def test_explicit_nulls_for_optional_keys_are_accepted(api, admin_token, path):
    body = {key: dict(value) for key, value in NULLS[path].items()}
    inner = next(iter(body.values()))
    if 'name' in inner:
        inner['name'] = f.unique('nulls')
    response = api.post(path, token=admin_token, json=body)
    assert response.status_code == 201, response.json
    created = next(iter(response.json.values()))
    assert created.get('description', '') in ('', None)


def test_explicit_nulls_in_an_application_credential(api, env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    token = f.token_for(env.backend, user, project=project)
    response = api.post(f'/v3/users/{user.id}/application_credentials', token=token, json={
        'application_credential': {'name': 'c', 'description': None, 'secret': None,
                                   'expires_at': None, 'roles': None, 'unrestricted': None,
                                   'access_rules': None}})
    assert response.status_code == 201


def test_endpoint_with_null_region(api, admin_token):
    service = api.post('/v3/services', token=admin_token,
                       json={'service': {'type': 'network'}}).json['service']
    response = api.post('/v3/endpoints', token=admin_token, json={'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'url': 'http://net:9696',
        'region_id': None, 'region': None}})
    assert response.status_code == 201
    assert response.json['endpoint']['region_id'] is None


def test_errors_are_json_keystone_faults(api, admin_token):
    for response in (api.get('/v3/projects/nope', token=admin_token),
                     api.get('/v3/projects'),
                     api.post('/v3/projects', token=admin_token, json={}),
                     api.get('/v3/nothing-here', token=admin_token)):
        assert response.content_type == 'application/json'
        assert set(response.json['error']) == {'code', 'title', 'message'}
        assert response.headers['X-Openstack-Request-Id'].startswith('req-')


def test_oversized_body_is_413(api, admin_token, env):
    limit = env.conf.api.max_request_body_size
    response = api.post('/v3/projects', token=admin_token, json={'project': {
        'name': 'big', 'description': 'x' * limit}})
    assert response.status_code == 413
    assert response.json['error']['code'] == 413


def test_invalid_service_token_is_401(api, admin_token):
    response = api.get('/v3/projects', token=admin_token,
                       headers={'X-Service-Token': 'garbage'})
    assert response.status_code == 401


def test_valid_service_token_is_accepted(api, env, admin_token):
    project = f.make_project(env.backend)
    service_user = f.make_user(env.backend)
    f.grant(env.backend, 'service', user=service_user, project=project)
    service_token = f.token_for(env.backend, service_user, project=project)
    response = api.get('/v3/projects', token=admin_token,
                       headers={'X-Service-Token': service_token})
    assert response.status_code == 200


def test_name_lookups_fall_back_to_a_filter(api, env, admin_token):
    """What ``openstack role add --user U --project P member`` does."""
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    for collection, name in (('roles', 'member'), ('users', user.name),
                             ('projects', project.name), ('domains', 'Default')):
        assert api.get(f'/v3/{collection}/{name}', token=admin_token).status_code == 404
        found = api.get(f'/v3/{collection}?name={name}', token=admin_token).json[collection]
        assert len(found) == 1
    member = env.roles['member']
    response = api.put(f'/v3/projects/{project.id}/users/{user.id}/roles/{member.id}',
                       token=admin_token)
    assert response.status_code == 204
    listed = api.get(f'/v3/role_assignments?scope.project.id={project.id}&user.id={user.id}'
                     '&include_names=True', token=admin_token).json['role_assignments']
    assert listed[0]['role']['name'] == 'member'
    assert listed[0]['user']['name'] == user.name
    assert listed[0]['scope']['project']['name'] == project.name
