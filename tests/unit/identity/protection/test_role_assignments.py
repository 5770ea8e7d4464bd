"""Who may list which role assignments (``GET /v3/role_assignments``)."""
import pytest

from tests.unit.identity.protection.conftest import DOMAIN_READERS, EVERYONE, matrix


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_all(world, persona, status):
    assert world.request(persona, 'GET', '/v3/role_assignments').status_code == status


@pytest.mark.parametrize('persona, status', matrix(EVERYONE))
def test_list_own(world, persona, status):
    response = world.request(persona, 'GET',
                             f'/v3/role_assignments?user.id={world.user(persona).id}')
    assert response.status_code == status
    users = {a['user']['id'] for a in response.json['role_assignments']}
    assert users == {world.user(persona).id}


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_someone_elses(world, persona, status):
    target = world.user('project_reader').id
    if persona == 'project_reader':
        status = 200  # their own
    response = world.request(persona, 'GET', f'/v3/role_assignments?user.id={target}')
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_a_project_without_naming_oneself(world, persona, status):
    response = world.request(persona, 'GET',
                             f'/v3/role_assignments?scope.project.id={world.project.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona', ['domain_admin', 'domain_reader'])
def test_domain_persona_sees_only_its_domain(world, persona):
    assignments = world.request(persona, 'GET',
                                '/v3/role_assignments?include_names').json['role_assignments']
    assert assignments
    for assignment in assignments:
        scope = assignment['scope']
        assert 'system' not in scope
        target = scope.get('project') or scope['domain']
        domain_id = target['domain']['id'] if 'project' in scope else target['id']
        assert domain_id == world.domain.id
    other = world.request(persona, 'GET',
                          f'/v3/role_assignments?scope.project.id={world.other_project.id}')
    assert other.json['role_assignments'] == []


def test_cloud_reader_sees_everything(world):
    assignments = world.request('system_reader', 'GET',
                                '/v3/role_assignments').json['role_assignments']
    scopes = {next(iter(a['scope'])) for a in assignments}
    assert scopes == {'project', 'domain', 'system'}
