"""``/v3/users`` and passwords (``identity/api/users.py``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import PUBLIC_URL_BASE

TOKENS = '/v3/auth/tokens'


def _create(api, token, **attrs):
    attrs.setdefault('name', f.unique('user'))
    return api.post('/v3/users', token=token, json={'user': attrs})


def test_create_never_echoes_the_password(api, env, admin_token, notifications):
    project = f.make_project(env.backend)
    response = _create(api, admin_token, password='pw-1', email='a@example.com',
                       default_project_id=project.id, description=None)
    assert response.status_code == 201
    user = response.json['user']
    assert 'password' not in user and 'password_hash' not in str(user)
    assert (user['domain_id'], user['enabled'], user['email'],
            user['default_project_id']) == ('default', True, 'a@example.com', project.id)
    assert user['links'] == {'self': f"{PUBLIC_URL_BASE}/v3/users/{user['id']}"}
    assert notifications.events('identity.user') == [
        ('identity.user.created', {'resource_info': user['id']})]
    f.grant(env.backend, 'member', user=user['id'], project=project)
    login = api.post(TOKENS, json=f.password_auth(user['name'], 'pw-1'))
    assert login.status_code == 201
    assert login.json['token']['project']['id'] == project.id


def test_show_update_delete(api, admin_token):
    user = _create(api, admin_token).json['user']
    path = f"/v3/users/{user['id']}"
    assert api.get(path, token=admin_token).json['user'] == user
    updated = api.patch(path, token=admin_token, json={'user': {
        'name': 'renamed-' + user['id'], 'enabled': False}})
    assert updated.status_code == 200
    assert updated.json['user']['name'] == 'renamed-' + user['id']
    assert updated.json['user']['enabled'] is False
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404


def test_duplicate_name_is_409_and_nothing_is_created(api, env, admin_token, notifications):
    name = f.unique('user')
    assert _create(api, admin_token, name=name, password='first').status_code == 201
    notifications.clear()
    response = _create(api, admin_token, name=name, password='second')
    assert response.status_code == 409
    assert notifications.events() == []
    assert len(api.get(f'/v3/users?name={name}', token=admin_token).json['users']) == 1
    # The first user's password is untouched.
    assert api.post(TOKENS, json=f.password_auth(name, 'first')).status_code == 201
    domain = f.make_domain(env.backend)
    assert _create(api, admin_token, name=name, domain_id=domain.id).status_code == 201


@pytest.mark.parametrize('user, field', [
    ({'name': 5}, "'user.name'"),
    ({}, "'user.name'"),
    ({'name': 'x', 'enabled': 'no'}, "'user.enabled'"),
    ({'name': 'x', 'password': ''}, "'user.password'"),
    ({'name': 'x', 'id': 'chosen'}, "'user.id'"),
])
def test_schema_violations_name_the_field(api, admin_token, user, field):
    response = api.post('/v3/users', token=admin_token, json={'user': user})
    assert response.status_code == 400
    assert field in response.json['error']['message']


def test_too_long_password_is_400(api, env, admin_token):
    limit = env.conf.identity.max_password_length
    response = _create(api, admin_token, password='x' * (limit + 1))
    assert response.status_code == 400
    assert "'password'" in response.json['error']['message']


def test_unknown_domain_or_default_project_is_400(api, admin_token):
    assert _create(api, admin_token, domain_id='no-such-domain').status_code == 400
    assert _create(api, admin_token, default_project_id='no-such-project').status_code == 400


@pytest.mark.parametrize('method', ['GET', 'PATCH', 'DELETE'])
def test_unknown_id_is_404(api, admin_token, method):
    json = {'user': {'enabled': True}} if method == 'PATCH' else None
    assert api.request(method, '/v3/users/no-such-user', token=admin_token,
                       json=json).status_code == 404


def test_name_is_not_an_id(api, env, admin_token):
    user = f.make_user(env.backend)
    assert api.get(f'/v3/users/{user.name}', token=admin_token).status_code == 404


def test_domain_cannot_change(api, env, admin_token):
    user = f.make_user(env.backend)
    response = api.patch(f'/v3/users/{user.id}', token=admin_token,
                         json={'user': {'domain_id': f.make_domain(env.backend).id}})
    assert response.status_code == 400


def test_list_filters(api, env, admin_token):
    domain = f.make_domain(env.backend)
    on = f.make_user(env.backend, domain=domain)
    off = f.make_user(env.backend, domain=domain, enabled=False)
    base = f'/v3/users?domain_id={domain.id}'
    assert sorted(u['id'] for u in api.get(base, token=admin_token).json['users']) == \
        sorted([on.id, off.id])
    assert [u['id'] for u in api.get(base + '&enabled=false',
                                     token=admin_token).json['users']] == [off.id]
    assert [u['id'] for u in api.get(f'{base}&name={on.name}',
                                     token=admin_token).json['users']] == [on.id]


def test_change_own_password_needs_the_original(api, env):
    user = f.make_user(env.backend)
    token = f.token_for(env.backend, user)
    response = api.post(f'/v3/users/{user.id}/password', token=token, json={
        'user': {'original_password': 'not it', 'password': 'new'}})
    assert response.status_code == 401
    assert api.post(TOKENS, json=f.password_auth(user)).status_code == 201


def test_change_password_body_is_validated(api, env):
    user = f.make_user(env.backend)
    token = f.token_for(env.backend, user)
    response = api.post(f'/v3/users/{user.id}/password', token=token,
                        json={'user': {'password': 'new'}})
    assert response.status_code == 400
    assert "'user.original_password'" in response.json['error']['message']


def test_change_password_of_someone_else_is_403(api, env, admin_token):
    user = f.make_user(env.backend)
    response = api.post(f'/v3/users/{user.id}/password', token=admin_token, json={
        'user': {'original_password': f.PASSWORD, 'password': 'new'}})
    assert response.status_code == 403


def test_user_groups(api, env, admin_token):
    user = f.make_user(env.backend)
    groups = sorted([f.make_group(env.backend, members=[user]).id for _ in range(2)])
    response = api.get(f'/v3/users/{user.id}/groups', token=admin_token)
    assert sorted(g['id'] for g in response.json['groups']) == groups
