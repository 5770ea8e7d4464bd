"""``/v3/roles``, implied roles and ``/v3/role_inferences`` (``identity/api/roles.py``)."""
import pytest

from tests.unit.identity import factories as f


def _create(api, token, **attrs):
    attrs.setdefault('name', f.unique('role'))
    return api.post('/v3/roles', token=token, json={'role': attrs})


def test_bootstrap_roles_exist(api, admin_token):
    names = {r['name'] for r in api.get('/v3/roles', token=admin_token).json['roles']}
    assert {'admin', 'member', 'reader', 'service'} <= names


def test_create_show_update_delete(api, admin_token, notifications):
    role = _create(api, admin_token, description='does things').json['role']
    assert role['domain_id'] is None and role['description'] == 'does things'
    path = f"/v3/roles/{role['id']}"
    assert api.get(path, token=admin_token).json['role'] == role
    assert api.patch(path, token=admin_token, json={'role': {'description': 'more'}}) \
        .json['role']['description'] == 'more'
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404
    assert [e[0] for e in notifications.events()] == [
        'identity.role.created', 'identity.role.updated', 'identity.role.deleted']


def test_duplicate_name_is_409(api, admin_token, notifications):
    assert _create(api, admin_token, name='member').status_code == 409
    assert notifications.events() == []
    assert len(api.get('/v3/roles?name=member', token=admin_token).json['roles']) == 1


def test_domain_specific_roles_are_refused(api, admin_token):
    assert _create(api, admin_token, domain_id='default').status_code == 400


def test_name_is_not_an_id(api, admin_token):
    assert api.get('/v3/roles/member', token=admin_token).status_code == 404
    assert [r['name'] for r in api.get('/v3/roles?name=member',
                                       token=admin_token).json['roles']] == ['member']


def test_schema_violation_names_the_field(api, admin_token):
    response = api.post('/v3/roles', token=admin_token, json={'role': {'name': None}})
    assert response.status_code == 400
    assert "'role.name'" in response.json['error']['message']


def test_default_implications(api, env, admin_token):
    admin, member = env.roles['admin'], env.roles['member']
    response = api.get(f'/v3/roles/{admin.id}/implies', token=admin_token)
    assert response.status_code == 200
    inference = response.json['role_inference']
    assert inference['prior_role']['id'] == admin.id
    assert [r['name'] for r in inference['implies']] == ['member']
    rules = api.get('/v3/role_inferences', token=admin_token).json['role_inferences']
    pairs = {(r['prior_role']['name'], i['name']) for r in rules for i in r['implies']}
    assert {('admin', 'member'), ('member', 'reader')} <= pairs
    check = api.head(f"/v3/roles/{member.id}/implies/{env.roles['reader'].id}",
                     token=admin_token)
    assert check.status_code == 204


def test_create_and_delete_an_implication(api, env, admin_token):
    prior, implied = f.make_role(env.backend), f.make_role(env.backend)
    path = f'/v3/roles/{prior.id}/implies/{implied.id}'
    assert api.get(path, token=admin_token).status_code == 404
    created = api.put(path, token=admin_token)
    assert created.status_code == 201
    assert created.json['role_inference']['implies']['id'] == implied.id
    assert api.get(path, token=admin_token).json['role_inference']['prior_role']['id'] == \
        prior.id
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404


@pytest.mark.parametrize('loop', ['self', 'two', 'three'])
def test_implication_loops_are_refused(api, env, admin_token, loop):
    a, b, c = (f.make_role(env.backend) for _ in range(3))
    if loop == 'self':
        target = (a, a)
    elif loop == 'two':
        api.put(f'/v3/roles/{a.id}/implies/{b.id}', token=admin_token)
        target = (b, a)
    else:
        api.put(f'/v3/roles/{a.id}/implies/{b.id}', token=admin_token)
        api.put(f'/v3/roles/{b.id}/implies/{c.id}', token=admin_token)
        target = (c, a)
    response = api.put(f'/v3/roles/{target[0].id}/implies/{target[1].id}', token=admin_token)
    assert response.status_code == 400


def test_implication_of_unknown_role_is_404(api, env, admin_token):
    role = f.make_role(env.backend)
    assert api.put(f'/v3/roles/{role.id}/implies/nope', token=admin_token).status_code == 404
    assert api.get('/v3/roles/nope/implies', token=admin_token).status_code == 404


def test_implied_roles_appear_in_tokens(api, env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, project=project)
    body = api.post('/v3/auth/tokens', json=f.password_auth(
        user, scope=f.scope_of(project=project))).json
    assert sorted(r['name'] for r in body['token']['roles']) == ['admin', 'member', 'reader']


def test_deleting_a_role_removes_its_grants_and_implications(api, env, admin_token):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    prior, doomed = f.make_role(env.backend), f.make_role(env.backend)
    api.put(f'/v3/roles/{prior.id}/implies/{doomed.id}', token=admin_token)
    f.grant(env.backend, doomed, user=user, project=project)
    assert api.delete(f'/v3/roles/{doomed.id}', token=admin_token).status_code == 204
    assert api.get(f'/v3/projects/{project.id}/users/{user.id}/roles',
                   token=admin_token).json['roles'] == []
    assert api.get(f'/v3/roles/{prior.id}/implies',
                   token=admin_token).json['role_inference']['implies'] == []
