"""Role grants on projects, domains and the system (``identity/api/grants.py``)."""
import pytest

from tests.unit.identity import factories as f


@pytest.mark.parametrize('kind', ['projects', 'domains'])
@pytest.mark.parametrize('actor_kind', ['users', 'groups'])
def test_grant_check_list_revoke(api, env, admin_token, notifications, kind, actor_kind):
    target = f.make_project(env.backend) if kind == 'projects' else f.make_domain(env.backend)
    actor = f.make_user(env.backend) if actor_kind == 'users' else f.make_group(env.backend)
    member = env.roles['member']
    base = f'/v3/{kind}/{target.id}/{actor_kind}/{actor.id}/roles'
    notifications.clear()
    assert api.head(f'{base}/{member.id}', token=admin_token).status_code == 404
    assert api.put(f'{base}/{member.id}', token=admin_token).status_code == 204
    assert api.put(f'{base}/{member.id}', token=admin_token).status_code == 204  # idempotent
    assert api.head(f'{base}/{member.id}', token=admin_token).status_code == 204
    assert api.get(f'{base}/{member.id}', token=admin_token).status_code == 204
    listed = api.get(base, token=admin_token).json['roles']
    assert [r['id'] for r in listed] == [member.id]  # direct grants only, no implied
    assert api.delete(f'{base}/{member.id}', token=admin_token).status_code == 204
    assert api.delete(f'{base}/{member.id}', token=admin_token).status_code == 404
    assert api.get(base, token=admin_token).json['roles'] == []
    assert [e[0] for e in notifications.events()] == [
        'identity.role_assignment.created', 'identity.role_assignment.deleted']


@pytest.mark.parametrize('actor_kind', ['users', 'groups'])
def test_system_grants(api, env, admin_token, actor_kind):
    actor = f.make_user(env.backend) if actor_kind == 'users' else f.make_group(env.backend)
    reader = env.roles['reader']
    base = f'/v3/system/{actor_kind}/{actor.id}/roles'
    assert api.put(f'{base}/{reader.id}', token=admin_token).status_code == 204
    assert api.head(f'{base}/{reader.id}', token=admin_token).status_code == 204
    assert [r['name'] for r in api.get(base, token=admin_token).json['roles']] == ['reader']
    assert api.delete(f'{base}/{reader.id}', token=admin_token).status_code == 204
    assert api.head(f'{base}/{reader.id}', token=admin_token).status_code == 404


@pytest.mark.parametrize('missing', ['project', 'user', 'group', 'role'])
def test_unknown_parts_are_404(api, env, admin_token, missing):
    project = 'nope' if missing == 'project' else f.make_project(env.backend).id
    actor_kind = 'groups' if missing == 'group' else 'users'
    actor = 'nope' if missing in ('user', 'group') else f.make_user(env.backend).id
    role = 'nope' if missing == 'role' else env.roles['member'].id
    response = api.put(f'/v3/projects/{project}/{actor_kind}/{actor}/roles/{role}',
                       token=admin_token)
    assert response.status_code == 404


def test_unknown_kind_of_target_is_404(api, admin_token):
    assert api.put('/v3/regions/x/users/y/roles/z', token=admin_token).status_code in (404, 405)


def test_group_grant_reaches_its_members(api, env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    group = f.make_group(env.backend, members=[user])
    f.grant(env.backend, 'reader', group=group, project=project)
    body = api.post('/v3/auth/tokens', json=f.password_auth(
        user, scope=f.scope_of(project=project))).json
    assert [r['name'] for r in body['token']['roles']] == ['reader']
