"""``GET /v3/role_assignments`` (``identity/api/role_assignments.py``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import PUBLIC_URL_BASE

V3 = f'{PUBLIC_URL_BASE}/v3'


@pytest.fixture(scope='module')
def setup(env):
    """A user with admin on a project directly and reader via a group, and system reader."""
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    user = f.make_user(env.backend, domain=domain)
    group = f.make_group(env.backend, domain=domain, members=[user])
    f.grant(env.backend, 'admin', user=user, project=project)
    f.grant(env.backend, 'reader', group=group, domain=domain)
    f.grant(env.backend, 'reader', user=user, system=True)
    return domain, project, user, group


def _list(api, token, query):
    response = api.get(f'/v3/role_assignments?{query}', token=token)
    assert response.status_code == 200, response.json
    return response.json['role_assignments']


def _triples(assignments):
    result = set()
    for a in assignments:
        actor = ('user', a['user']['id']) if 'user' in a else ('group', a['group']['id'])
        scope = a['scope']
        target = (('project', scope['project']['id']) if 'project' in scope else
                  ('domain', scope['domain']['id']) if 'domain' in scope else ('system', 'all'))
        result.add((actor, target, a['role']['id']))
    return result


def test_direct_assignments_of_a_user(api, env, admin_token, setup):
    domain, project, user, group = setup
    assignments = _list(api, admin_token, f'user.id={user.id}')
    assert _triples(assignments) == {
        (('user', user.id), ('project', project.id), env.roles['admin'].id),
        (('user', user.id), ('system', 'all'), env.roles['reader'].id)}
    project_one = next(a for a in assignments if 'project' in a['scope'])
    assert project_one['links'] == {'assignment': (
        f"{V3}/projects/{project.id}/users/{user.id}/roles/{env.roles['admin'].id}")}
    system_one = next(a for a in assignments if 'system' in a['scope'])
    assert system_one['scope'] == {'system': {'all': True}}
    assert system_one['links']['assignment'] == \
        f"{V3}/system/users/{user.id}/roles/{env.roles['reader'].id}"


def test_filters(api, env, admin_token, setup):
    domain, project, user, group = setup
    assert _triples(_list(api, admin_token, f'scope.project.id={project.id}')) == {
        (('user', user.id), ('project', project.id), env.roles['admin'].id)}
    assert _triples(_list(api, admin_token, f'group.id={group.id}')) == {
        (('group', group.id), ('domain', domain.id), env.roles['reader'].id)}
    assert _triples(_list(api, admin_token, f'scope.domain.id={domain.id}')) == {
        (('group', group.id), ('domain', domain.id), env.roles['reader'].id)}
    system = _list(api, admin_token, f'scope.system=all&user.id={user.id}')
    assert _triples(system) == {(('user', user.id), ('system', 'all'), env.roles['reader'].id)}
    by_role = _list(api, admin_token,
                    f"role.id={env.roles['admin'].id}&scope.project.id={project.id}")
    assert len(by_role) == 1


def test_effective_expands_groups_and_implied_roles(api, env, admin_token, setup):
    domain, project, user, group = setup
    roles = env.roles
    assignments = _list(api, admin_token, f'user.id={user.id}&effective')
    assert _triples(assignments) == {
        (('user', user.id), ('project', project.id), roles['admin'].id),
        (('user', user.id), ('project', project.id), roles['member'].id),
        (('user', user.id), ('project', project.id), roles['reader'].id),
        (('user', user.id), ('domain', domain.id), roles['reader'].id),
        (('user', user.id), ('system', 'all'), roles['reader'].id)}
    via_group = next(a for a in assignments if 'domain' in a['scope'])
    assert via_group['links'] == {
        'assignment': f"{V3}/domains/{domain.id}/groups/{group.id}/roles/{roles['reader'].id}",
        'membership': f'{V3}/groups/{group.id}/users/{user.id}'}
    implied = next(a for a in assignments
                   if 'project' in a['scope'] and a['role']['id'] == roles['reader'].id)
    assert implied['links']['prior_role'].startswith(f'{V3}/roles/')
    assert implied['links']['assignment'] == \
        f"{V3}/projects/{project.id}/users/{user.id}/roles/{roles['reader'].id}"


def test_effective_with_group_filter_is_400(api, admin_token, setup):
    response = api.get(f'/v3/role_assignments?effective&group.id={setup[3].id}',
                       token=admin_token)
    assert response.status_code == 400


def test_scope_system_must_be_all(api, admin_token):
    assert api.get('/v3/role_assignments?scope.system=some',
                   token=admin_token).status_code == 400


def test_include_names(api, env, admin_token, setup):
    domain, project, user, group = setup
    assignments = _list(api, admin_token, f'user.id={user.id}&include_names=True')
    project_one = next(a for a in assignments if 'project' in a['scope'])
    assert project_one['user'] == {'id': user.id, 'name': user.name,
                                   'domain': {'id': domain.id, 'name': domain.name}}
    assert project_one['scope']['project'] == {'id': project.id, 'name': project.name,
                                               'domain': {'id': domain.id, 'name': domain.name}}
    assert project_one['role'] == {'id': env.roles['admin'].id, 'name': 'admin'}
    group_one = _list(api, admin_token, f'group.id={group.id}&include_names')[0]
    assert group_one['group']['name'] == group.name
    assert group_one['scope']['domain'] == {'id': domain.id, 'name': domain.name}


def test_without_include_names_only_ids(api, admin_token, setup):
    assignment = _list(api, admin_token, f'user.id={setup[2].id}')[0]
    assert set(assignment['user']) == {'id'} and set(assignment['role']) == {'id'}


def test_user_lists_their_own(api, env, setup):
    domain, project, user, group = setup
    token = f.token_for(env.backend, user, project=project)
    assert len(_list(api, token, f'user.id={user.id}')) == 2
    assert api.get('/v3/role_assignments', token=token).status_code == 403
