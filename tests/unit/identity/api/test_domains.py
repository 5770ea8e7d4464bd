"""``/v3/domains`` (``identity/api/domains.py``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import PUBLIC_URL_BASE


def _create(api, token, **attrs):
    attrs.setdefault('name', f.unique('domain'))
    return api.post('/v3/domains', token=token, json={'domain': attrs})


def test_default_domain_exists(api, admin_token):
    domain = api.get('/v3/domains/default', token=admin_token).json['domain']
    assert domain == {'id': 'default', 'name': 'Default', 'description': '', 'enabled': True,
                      'tags': [], 'options': {},
                      'links': {'self': f'{PUBLIC_URL_BASE}/v3/domains/default'}}


def test_create_show_update_delete(api, admin_token, notifications):
    domain = _create(api, admin_token, description='d', tags=['x']).json['domain']
    path = f"/v3/domains/{domain['id']}"
    assert api.get(path, token=admin_token).json['domain'] == domain
    assert api.delete(path, token=admin_token).status_code == 403  # still enabled
    assert api.patch(path, token=admin_token, json={'domain': {'enabled': False}}) \
        .json['domain']['enabled'] is False
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404
    assert [e[0] for e in notifications.events()] == [
        'identity.domain.created', 'identity.domain.updated', 'identity.domain.deleted']


def test_chosen_id(api, admin_token):
    domain = _create(api, admin_token, id='my-domain-id').json['domain']
    assert domain['id'] == 'my-domain-id'


def test_duplicate_name_is_409(api, admin_token, notifications):
    assert _create(api, admin_token, name='Default').status_code == 409
    assert notifications.events() == []


@pytest.mark.parametrize('body, field', [({'domain': {'name': 1}}, "'domain.name'"),
                                         ({'domain': {}}, "'domain.name'"),
                                         ({'domain': {'name': 'x', 'color': 'red'}},
                                          "'domain'")])
def test_schema_violations_name_the_field(api, admin_token, body, field):
    response = api.post('/v3/domains', token=admin_token, json=body)
    assert response.status_code == 400
    assert field in response.json['error']['message']


def test_name_is_not_an_id(api, admin_token):
    assert api.get('/v3/domains/Default', token=admin_token).status_code == 404
    listed = api.get('/v3/domains?name=Default', token=admin_token).json['domains']
    assert [d['id'] for d in listed] == ['default']


def test_deleting_a_domain_deletes_what_is_in_it(api, env, admin_token):
    domain = f.make_domain(env.backend)
    parent = f.make_project(env.backend, domain=domain)
    child = f.make_project(env.backend, parent=parent)
    grandchild = f.make_project(env.backend, parent=child)
    user = f.make_user(env.backend, domain=domain)
    group = f.make_group(env.backend, domain=domain, members=[user])
    f.grant(env.backend, 'member', user=user, project=grandchild)
    f.grant(env.backend, 'reader', group=group, domain=domain)
    api.patch(f'/v3/domains/{domain.id}', token=admin_token, json={'domain': {'enabled': False}})
    assert api.delete(f'/v3/domains/{domain.id}', token=admin_token).status_code == 204
    for path in (f'/v3/projects/{parent.id}', f'/v3/projects/{grandchild.id}',
                 f'/v3/users/{user.id}', f'/v3/groups/{group.id}'):
        assert api.get(path, token=admin_token).status_code == 404
    assignments = api.get(f'/v3/role_assignments?scope.domain.id={domain.id}',
                          token=admin_token).json['role_assignments']
    assert assignments == []


def test_list_filters(api, env, admin_token):
    off = f.make_domain(env.backend, enabled=False)
    listed = api.get('/v3/domains?enabled=false', token=admin_token).json['domains']
    assert off.id in [d['id'] for d in listed]
    assert all(not d['enabled'] for d in listed)
