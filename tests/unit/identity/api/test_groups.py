"""``/v3/groups`` and membership (``identity/api/groups.py``)."""
import pytest

from tests.unit.identity import factories as f


def _create(api, token, **attrs):
    attrs.setdefault('name', f.unique('group'))
    return api.post('/v3/groups', token=token, json={'group': attrs})


def test_create_show_update_delete(api, admin_token, notifications):
    group = _create(api, admin_token, description=None).json['group']
    assert (group['domain_id'], group['description']) == ('default', '')
    path = f"/v3/groups/{group['id']}"
    assert api.get(path, token=admin_token).json['group'] == group
    assert api.patch(path, token=admin_token, json={'group': {'description': 'ops'}}) \
        .json['group']['description'] == 'ops'
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404
    assert [e[0] for e in notifications.events()] == [
        'identity.group.created', 'identity.group.updated', 'identity.group.deleted']


def test_duplicate_name_is_409(api, admin_token, notifications):
    name = f.unique('group')
    _create(api, admin_token, name=name)
    notifications.clear()
    assert _create(api, admin_token, name=name).status_code == 409
    assert notifications.events() == []
    assert len(api.get(f'/v3/groups?name={name}', token=admin_token).json['groups']) == 1


def test_schema_violation_names_the_field(api, admin_token):
    response = api.post('/v3/groups', token=admin_token, json={'group': {'name': ['x']}})
    assert response.status_code == 400
    assert "'group.name'" in response.json['error']['message']


def test_unknown_group_is_404(api, admin_token):
    assert api.get('/v3/groups/nope', token=admin_token).status_code == 404
    assert api.get('/v3/groups/nope/users', token=admin_token).status_code == 404


def test_membership(api, env, admin_token):
    group = f.make_group(env.backend)
    user = f.make_user(env.backend)
    member_path = f'/v3/groups/{group.id}/users/{user.id}'
    assert api.head(member_path, token=admin_token).status_code == 404
    assert api.put(member_path, token=admin_token).status_code == 204
    assert api.put(member_path, token=admin_token).status_code == 204  # idempotent
    assert api.head(member_path, token=admin_token).status_code == 204
    assert api.get(member_path, token=admin_token).status_code == 204
    members = api.get(f'/v3/groups/{group.id}/users', token=admin_token).json['users']
    assert [u['id'] for u in members] == [user.id]
    assert api.delete(member_path, token=admin_token).status_code == 204
    assert api.delete(member_path, token=admin_token).status_code == 404
    assert api.get(f'/v3/groups/{group.id}/users', token=admin_token).json['users'] == []


def test_membership_of_unknown_user_is_404(api, env, admin_token):
    group = f.make_group(env.backend)
    assert api.put(f'/v3/groups/{group.id}/users/nobody', token=admin_token).status_code == 404


def test_deleting_a_user_or_group_removes_memberships(api, env, admin_token):
    group = f.make_group(env.backend)
    user, other = f.make_user(env.backend), f.make_user(env.backend)
    f.add_member(env.backend, group, user)
    f.add_member(env.backend, group, other)
    api.delete(f'/v3/users/{user.id}', token=admin_token)
    members = api.get(f'/v3/groups/{group.id}/users', token=admin_token).json['users']
    assert [u['id'] for u in members] == [other.id]
    api.delete(f'/v3/groups/{group.id}', token=admin_token)
    assert api.get(f'/v3/users/{other.id}/groups', token=admin_token).json['groups'] == []


@pytest.mark.parametrize('query', ['limit=1', 'limit=1&marker={first}'])
def test_pagination(api, env, admin_token, query):
    domain = f.make_domain(env.backend)
    made = sorted(f.make_group(env.backend, domain=domain).id for _ in range(2))
    response = api.get(f'/v3/groups?domain_id={domain.id}&' + query.format(first=made[0]),
                       token=admin_token)
    expected = made[:1] if 'marker' not in query else made[1:]
    assert [g['id'] for g in response.json['groups']] == expected
