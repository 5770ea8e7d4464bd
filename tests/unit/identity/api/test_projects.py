"""``/v3/projects`` (``identity/api/projects.py``)."""
import urllib.parse

import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import PUBLIC_URL_BASE


def _create(api, token, **attrs):
    attrs.setdefault('name', f.unique('project'))
    return api.post('/v3/projects', token=token, json={'project': attrs})


def test_create_show_update_delete(api, admin_token, notifications):
    created = _create(api, admin_token, description=None, tags=['a', 'b'])
    assert created.status_code == 201
    project = created.json['project']
    assert project['domain_id'] == 'default' and project['parent_id'] == 'default'
    assert (project['enabled'], project['is_domain'], project['tags'],
            project['description']) == (True, False, ['a', 'b'], '')
    assert project['links'] == {'self': f"{PUBLIC_URL_BASE}/v3/projects/{project['id']}"}
    path = f"/v3/projects/{project['id']}"
    assert api.get(path, token=admin_token).json['project'] == project
    updated = api.patch(path, token=admin_token, json={'project': {
        'description': 'now described', 'enabled': False}})
    assert updated.status_code == 200
    assert updated.json['project']['description'] == 'now described'
    assert updated.json['project']['enabled'] is False
    assert api.delete(path, token=admin_token).status_code == 204
    assert api.get(path, token=admin_token).status_code == 404
    assert notifications.events() == [
        ('identity.project.created', {'resource_info': project['id']}),
        ('identity.project.updated', {'resource_info': project['id']}),
        ('identity.project.deleted', {'resource_info': project['id']})]


def test_extra_attributes_are_kept(api, admin_token):
    project = _create(api, admin_token, owner_email='ops@example.com').json['project']
    assert project['owner_email'] == 'ops@example.com'
    shown = api.get(f"/v3/projects/{project['id']}", token=admin_token).json['project']
    assert shown['owner_email'] == 'ops@example.com'


def test_duplicate_name_in_a_domain_is_409(api, env, admin_token, notifications):
    name = f.unique('project')
    assert _create(api, admin_token, name=name).status_code == 201
    notifications.clear()
    response = _create(api, admin_token, name=name)
    assert response.status_code == 409
    assert response.json['error']['title'] == 'Conflict'
    assert name in response.json['error']['message']
    assert notifications.events() == []
    listed = api.get(f'/v3/projects?name={name}', token=admin_token).json['projects']
    assert len(listed) == 1
    # The same name in another domain is another project.
    domain = f.make_domain(env.backend)
    assert _create(api, admin_token, name=name, domain_id=domain.id).status_code == 201


def test_rename_onto_an_existing_name_is_409(api, env, admin_token):
    first, second = f.make_project(env.backend), f.make_project(env.backend)
    response = api.patch(f'/v3/projects/{second.id}', token=admin_token,
                         json={'project': {'name': first.name}})
    assert response.status_code == 409
    assert api.get(f'/v3/projects/{second.id}',
                   token=admin_token).json['project']['name'] == second.name


@pytest.mark.parametrize('project, field', [
    ({'name': 5}, "'project.name'"),
    ({'name': ''}, "'project.name'"),
    ({}, "'project.name'"),
    ({'name': 'x', 'enabled': 'yes'}, "'project.enabled'"),
    ({'name': 'x', 'tags': ['a,b']}, "'project.tags.0'"),
    ({'name': 'x', 'tags': ['a', 'a']}, "'project.tags'"),
    ({'name': 'x', 'id': 'chosen'}, "'project.id'"),
])
def test_schema_violations_name_the_field(api, admin_token, project, field):
    response = api.post('/v3/projects', token=admin_token, json={'project': project})
    assert response.status_code == 400
    assert response.json['error']['message'].startswith(f'Invalid input for field {field}')


def test_blank_name_is_400(api, admin_token):
    assert _create(api, admin_token, name='   ').status_code == 400


def test_missing_envelope_is_400(api, admin_token):
    response = api.post('/v3/projects', token=admin_token, json={'name': 'x'})
    assert response.status_code == 400
    assert "'project'" in response.json['error']['message']


def test_unknown_domain_or_parent_is_400(api, admin_token):
    assert _create(api, admin_token, domain_id='no-such-domain').status_code == 400
    assert _create(api, admin_token, parent_id='no-such-project').status_code == 400


def test_is_domain_is_refused(api, admin_token):
    assert _create(api, admin_token, is_domain=True).status_code == 400


@pytest.mark.parametrize('method', ['GET', 'PATCH', 'DELETE'])
def test_unknown_id_is_404(api, admin_token, method):
    json = {'project': {'description': 'x'}} if method == 'PATCH' else None
    response = api.request(method, '/v3/projects/0123456789abcdef0123456789abcdef',
                           token=admin_token, json=json)
    assert response.status_code == 404
    assert response.json['error']['code'] == 404


def test_name_is_not_an_id(api, env, admin_token):
    """Clients look names up as ids first and expect a 404 (API_COMPAT §0)."""
    project = f.make_project(env.backend)
    assert api.get(f'/v3/projects/{project.name}', token=admin_token).status_code == 404
    listed = api.get(f'/v3/projects?name={project.name}', token=admin_token).json['projects']
    assert [p['id'] for p in listed] == [project.id]


def test_hierarchy(api, env, admin_token):
    parent = f.make_project(env.backend)
    child = _create(api, admin_token, parent_id=parent.id).json['project']
    assert child['parent_id'] == parent.id
    children = api.get(f'/v3/projects?parent_id={parent.id}', token=admin_token).json
    assert [p['id'] for p in children['projects']] == [child['id']]
    response = api.delete(f'/v3/projects/{parent.id}', token=admin_token)
    assert response.status_code == 403
    assert api.delete(f"/v3/projects/{child['id']}", token=admin_token).status_code == 204
    assert api.delete(f'/v3/projects/{parent.id}', token=admin_token).status_code == 204


def test_child_must_stay_in_its_parents_domain(api, env, admin_token):
    parent = f.make_project(env.backend)
    other_domain = f.make_domain(env.backend)
    response = _create(api, admin_token, parent_id=parent.id, domain_id=other_domain.id)
    assert response.status_code == 400


def test_domain_and_parent_cannot_change(api, env, admin_token):
    project = f.make_project(env.backend)
    other_domain = f.make_domain(env.backend)
    for change in ({'domain_id': other_domain.id},
                   {'parent_id': f.make_project(env.backend).id}):
        response = api.patch(f'/v3/projects/{project.id}', token=admin_token,
                             json={'project': change})
        assert response.status_code == 400


def test_filters(api, env, admin_token):
    domain = f.make_domain(env.backend)
    on = f.make_project(env.backend, domain=domain, tags=['red', 'big'])
    off = f.make_project(env.backend, domain=domain, enabled=False, tags=['red'])
    plain = f.make_project(env.backend, domain=domain)

    def ids(query):
        response = api.get(f'/v3/projects?domain_id={domain.id}&{query}', token=admin_token)
        assert response.status_code == 200, response.json
        return sorted(p['id'] for p in response.json['projects'])

    assert ids('') == sorted([on.id, off.id, plain.id])
    assert ids('enabled=False') == [off.id]
    assert ids('enabled=true') == sorted([on.id, plain.id])
    assert ids('tags=red,big') == [on.id]
    assert ids('tags-any=big,none') == [on.id]
    assert ids('not-tags=red,big') == sorted([off.id, plain.id])
    assert ids('not-tags-any=red') == [plain.id]
    assert ids('is_domain=True') == []
    assert api.get('/v3/projects?enabled=maybe', token=admin_token).status_code == 400


def test_pagination(api, env, admin_token):
    domain = f.make_domain(env.backend)
    made = sorted(f.make_project(env.backend, domain=domain).id for _ in range(5))
    seen, url = [], f'/v3/projects?domain_id={domain.id}&limit=2'
    while url:
        body = api.get(url, token=admin_token).json
        assert len(body['projects']) <= 2
        seen += [p['id'] for p in body['projects']]
        next_url = body['links']['next']
        url = next_url and next_url[len(PUBLIC_URL_BASE):]
    assert seen == made
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(body['links']['self']).query)
    assert query['domain_id'] == [domain.id]


def test_pagination_with_tag_filters(api, env, admin_token):
    domain = f.make_domain(env.backend)
    made = sorted(f.make_project(env.backend, domain=domain, tags=['t']).id for _ in range(3))
    first = api.get(f'/v3/projects?domain_id={domain.id}&tags=t&limit=2',
                    token=admin_token).json
    assert [p['id'] for p in first['projects']] == made[:2]
    rest = api.get(f'/v3/projects?domain_id={domain.id}&tags=t&marker={made[1]}',
                   token=admin_token).json
    assert [p['id'] for p in rest['projects']] == made[2:]


@pytest.mark.parametrize('query', ['marker=no-such-project', 'tags=x&marker=no-such-project',
                                   'limit=-1', 'limit=many'])
def test_bad_paging_is_400(api, admin_token, query):
    assert api.get(f'/v3/projects?{query}', token=admin_token).status_code == 400


def test_user_projects(api, env, admin_token):
    user = f.make_user(env.backend)
    direct, via_group = f.make_project(env.backend), f.make_project(env.backend)
    f.grant(env.backend, 'reader', user=user, project=direct)
    f.grant(env.backend, 'member', group=f.make_group(env.backend, members=[user]),
            project=via_group)
    response = api.get(f'/v3/users/{user.id}/projects', token=admin_token)
    assert sorted(p['id'] for p in response.json['projects']) == sorted([direct.id,
                                                                        via_group.id])
