"""Every way a token dies before it expires (anchor §1.2, target S5).

Each test gets a token, makes the change through the API as an operator
would, then checks that validation (``GET /v3/auth/tokens``) answers 404
and that the token no longer authenticates requests (401).  Where the
revocation must be narrow, the test also checks what stays valid.
"""
import pytest

from tests.unit.identity import factories as f

TOKENS = '/v3/auth/tokens'


def _valid(api, admin_token, token):
    status = api.get(TOKENS, token=admin_token, headers={'X-Subject-Token': token}).status_code
    assert status in (200, 404)
    return status == 200


def _authenticates(api, token):
    status = api.get('/v3/auth/projects', token=token).status_code
    assert status in (200, 401)
    return status == 200


def _dead(api, admin_token, token):
    return not _valid(api, admin_token, token) and not _authenticates(api, token)


@pytest.fixture
def member(env):
    """A fresh user with ``member`` on a fresh project, and a token there."""
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    return user, project, f.token_for(env.backend, user, project=project)


def test_revoked_token(api, env, admin_token, member):
    user, project, token = member
    other = f.token_for(env.backend, user, project=project)
    response = api.delete(TOKENS, token=admin_token, headers={'X-Subject-Token': token})
    assert response.status_code == 204
    assert _dead(api, admin_token, token)
    # Only that token: the user's other tokens live on.
    assert _valid(api, admin_token, other)


def test_revoked_token_as_x_auth_token_is_401_with_www_authenticate(api, admin_token, member):
    _, _, token = member
    api.delete(TOKENS, token=admin_token, headers={'X-Subject-Token': token})
    response = api.get('/v3/auth/projects', token=token)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_user_revokes_own_token(api, admin_token, member):
    _, _, token = member
    assert api.delete(TOKENS, token=token, headers={'X-Subject-Token': token}).status_code == 204
    assert _dead(api, admin_token, token)


def test_revoking_a_token_revokes_tokens_rescoped_from_it(api, env, admin_token, member):
    user, project, _ = member
    parent = f.token_for(env.backend, user)
    child = api.post(TOKENS, json=f.token_auth(parent, scope=f.scope_of(project=project)))
    child_token = child.headers['X-Subject-Token']
    api.delete(TOKENS, token=admin_token, headers={'X-Subject-Token': parent})
    assert _dead(api, admin_token, child_token)


def test_revoking_a_rescoped_token_spares_its_parent(api, env, admin_token, member):
    user, project, _ = member
    parent = f.token_for(env.backend, user)
    child = api.post(TOKENS, json=f.token_auth(parent, scope=f.scope_of(project=project)))
    api.delete(TOKENS, token=admin_token,
               headers={'X-Subject-Token': child.headers['X-Subject-Token']})
    assert _valid(api, admin_token, parent)


def test_disabled_user(api, env, admin_token, member):
    user, _, token = member
    unscoped = f.token_for(env.backend, user)
    response = api.patch(f'/v3/users/{user.id}', token=admin_token,
                         json={'user': {'enabled': False}})
    assert response.status_code == 200
    assert _dead(api, admin_token, token)
    assert _dead(api, admin_token, unscoped)
    # Enabling the user again does not bring old tokens back.
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'enabled': True}})
    assert not _valid(api, admin_token, token)


def test_deleted_user(api, admin_token, member):
    user, _, token = member
    assert api.delete(f'/v3/users/{user.id}', token=admin_token).status_code == 204
    assert _dead(api, admin_token, token)


def test_own_password_change(api, env, admin_token, member):
    user, project, token = member
    response = api.post(f'/v3/users/{user.id}/password', token=token, json={
        'user': {'original_password': f.PASSWORD, 'password': 'a new password'}})
    assert response.status_code == 204
    assert _dead(api, admin_token, token)
    scope = f.scope_of(project=project)
    assert api.post(TOKENS, json=f.password_auth(user, scope=scope)).status_code == 401
    fresh = api.post(TOKENS, json=f.password_auth(user, 'a new password', scope=scope))
    assert fresh.status_code == 201
    assert _valid(api, admin_token, fresh.headers['X-Subject-Token'])


def test_admin_password_reset(api, admin_token, member):
    user, project, token = member
    response = api.patch(f'/v3/users/{user.id}', token=admin_token,
                         json={'user': {'password': 'reset by admin'}})
    assert response.status_code == 200
    assert _dead(api, admin_token, token)
    assert api.post(TOKENS, json=f.password_auth(
        user, 'reset by admin', scope=f.scope_of(project=project))).status_code == 201


def test_update_without_password_keeps_tokens(api, admin_token, member):
    user, _, token = member
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'email': 'a@b.c'}})
    assert _valid(api, admin_token, token)


def test_role_removed(api, env, admin_token, member):
    user, project, token = member
    elsewhere = f.make_project(env.backend)
    f.grant(env.backend, 'member', user=user, project=elsewhere)
    other_token = f.token_for(env.backend, user, project=elsewhere)
    member_role = env.roles['member'].id
    response = api.delete(f'/v3/projects/{project.id}/users/{user.id}/roles/{member_role}',
                          token=admin_token)
    assert response.status_code == 204
    assert _dead(api, admin_token, token)
    # Tokens on the other project still carry a role the user holds.
    assert _valid(api, admin_token, other_token)


def test_role_removed_while_another_remains(api, env, admin_token, member):
    """The token is revoked; a new one carries only what is left."""
    user, project, token = member
    f.grant(env.backend, 'reader', user=user, project=project)
    api.delete(f"/v3/projects/{project.id}/users/{user.id}/roles/{env.roles['member'].id}",
               token=admin_token)
    assert not _valid(api, admin_token, token)
    fresh = f.token_for(env.backend, user, project=project)
    body = api.get(TOKENS, token=admin_token, headers={'X-Subject-Token': fresh}).json
    assert [r['name'] for r in body['token']['roles']] == ['reader']


def test_domain_role_removed(api, env, admin_token):
    domain = f.make_domain(env.backend)
    user = f.make_user(env.backend, domain=domain)
    f.grant(env.backend, 'admin', user=user, domain=domain)
    token = f.token_for(env.backend, user, domain=domain)
    api.delete(f"/v3/domains/{domain.id}/users/{user.id}/roles/{env.roles['admin'].id}",
               token=admin_token)
    assert _dead(api, admin_token, token)


def test_system_role_removed(api, env, admin_token):
    user = f.make_user(env.backend)
    f.grant(env.backend, 'reader', user=user, system=True)
    token = f.token_for(env.backend, user, system=True)
    response = api.delete(f"/v3/system/users/{user.id}/roles/{env.roles['reader'].id}",
                          token=admin_token)
    assert response.status_code == 204
    assert _dead(api, admin_token, token)


def test_role_removed_from_a_group(api, env, admin_token):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    group = f.make_group(env.backend, members=[user])
    f.grant(env.backend, 'member', group=group, project=project)
    token = f.token_for(env.backend, user, project=project)
    response = api.delete(
        f"/v3/projects/{project.id}/groups/{group.id}/roles/{env.roles['member'].id}",
        token=admin_token)
    assert response.status_code == 204
    assert _dead(api, admin_token, token)


def test_removed_from_the_group(api, env, admin_token):
    project = f.make_project(env.backend)
    user, bystander = f.make_user(env.backend), f.make_user(env.backend)
    group = f.make_group(env.backend, members=[user, bystander])
    f.grant(env.backend, 'member', group=group, project=project)
    token = f.token_for(env.backend, user, project=project)
    bystander_token = f.token_for(env.backend, bystander, project=project)
    response = api.delete(f'/v3/groups/{group.id}/users/{user.id}', token=admin_token)
    assert response.status_code == 204
    assert _dead(api, admin_token, token)
    assert _valid(api, admin_token, bystander_token)


def test_group_deleted(api, env, admin_token):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    group = f.make_group(env.backend, members=[user])
    f.grant(env.backend, 'member', group=group, project=project)
    token = f.token_for(env.backend, user, project=project)
    assert api.delete(f'/v3/groups/{group.id}', token=admin_token).status_code == 204
    assert _dead(api, admin_token, token)


def test_role_deleted(api, env, admin_token):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    custom = f.make_role(env.backend)
    f.grant(env.backend, custom, user=user, project=project)
    token = f.token_for(env.backend, user, project=project)
    assert api.delete(f'/v3/roles/{custom.id}', token=admin_token).status_code == 204
    assert _dead(api, admin_token, token)


def test_project_disabled(api, env, admin_token, member):
    user, project, token = member
    unscoped = f.token_for(env.backend, user)
    response = api.patch(f'/v3/projects/{project.id}', token=admin_token,
                         json={'project': {'enabled': False}})
    assert response.status_code == 200
    assert _dead(api, admin_token, token)
    assert _valid(api, admin_token, unscoped)
    # Enabling it again does not revive tokens issued before.
    api.patch(f'/v3/projects/{project.id}', token=admin_token,
              json={'project': {'enabled': True}})
    assert not _valid(api, admin_token, token)
    assert _valid(api, admin_token, f.token_for(env.backend, user, project=project))


def test_project_deleted(api, admin_token, member):
    _, project, token = member
    assert api.delete(f'/v3/projects/{project.id}', token=admin_token).status_code == 204
    assert _dead(api, admin_token, token)


def test_domain_disabled(api, env, admin_token):
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    user = f.make_user(env.backend, domain=domain)
    outsider = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, domain=domain)
    f.grant(env.backend, 'member', user=user, project=project)
    f.grant(env.backend, 'member', user=outsider, project=project)
    tokens = [f.token_for(env.backend, user, domain=domain),
              f.token_for(env.backend, user, project=project),
              f.token_for(env.backend, user),
              f.token_for(env.backend, outsider, project=project)]
    response = api.patch(f'/v3/domains/{domain.id}', token=admin_token,
                         json={'domain': {'enabled': False}})
    assert response.status_code == 200
    for token in tokens:
        assert _dead(api, admin_token, token)
    assert api.post(TOKENS, json=f.password_auth(user, scope='unscoped')).status_code == 401


def test_domain_deleted(api, env, admin_token):
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    outsider = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=outsider, project=project)
    token = f.token_for(env.backend, outsider, project=project)
    api.patch(f'/v3/domains/{domain.id}', token=admin_token, json={'domain': {'enabled': False}})
    assert api.delete(f'/v3/domains/{domain.id}', token=admin_token).status_code == 204
    assert _dead(api, admin_token, token)


def test_application_credential_deleted(api, env, admin_token, member):
    user, project, token = member
    credential, secret = f.make_application_credential(env.backend, user, project)
    app_token = api.post(TOKENS, json=f.app_credential_auth(credential.id, secret)) \
        .headers['X-Subject-Token']
    response = api.delete(f'/v3/users/{user.id}/application_credentials/{credential.id}',
                          token=token)
    assert response.status_code == 204
    assert _dead(api, admin_token, app_token)
    assert _valid(api, admin_token, token)


def test_application_credential_loses_a_role_its_user_lost(api, env, admin_token, member):
    user, project, _ = member
    credential, secret = f.make_application_credential(env.backend, user, project)
    app_token = api.post(TOKENS, json=f.app_credential_auth(credential.id, secret)) \
        .headers['X-Subject-Token']
    f.revoke(env.backend, 'member', user=user, project=project)
    assert _dead(api, admin_token, app_token)
    # And it cannot get a new token either: no role is left.
    assert api.post(TOKENS, json=f.app_credential_auth(credential.id, secret)).status_code == 401


def test_new_tokens_are_not_caught_by_old_revocations(api, env, admin_token, member):
    user, project, token = member
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'enabled': False}})
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'enabled': True}})
    assert _valid(api, admin_token, f.token_for(env.backend, user, project=project))
