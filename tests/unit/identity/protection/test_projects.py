"""Who may do what with projects (``/v3/projects``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, DOMAIN_ADMINS,
                                                     DOMAIN_READERS, ON_PROJECT, matrix)


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_projects(world, persona, status):
    assert world.request(persona, 'GET', '/v3/projects').status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS))
def test_list_projects_of_another_domain(world, persona, status):
    response = world.request(persona, 'GET', f'/v3/projects?domain_id={world.other_domain.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona', ['domain_admin', 'domain_reader'])
def test_domain_persona_lists_only_its_domain(world, persona):
    projects = world.request(persona, 'GET', '/v3/projects').json['projects']
    assert projects and {p['domain_id'] for p in projects} == {world.domain.id}


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS | ON_PROJECT))
def test_get_project(world, persona, status):
    response = world.request(persona, 'GET', f'/v3/projects/{world.project.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'other_member'}))
def test_get_project_of_another_domain(world, persona, status):
    response = world.request(persona, 'GET', f'/v3/projects/{world.other_project.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=201))
def test_create_project(world, persona, status):
    response = world.request(persona, 'POST', '/v3/projects', json={'project': {
        'name': f.unique('p'), 'domain_id': world.domain.id}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_project_in_another_domain(world, persona, status):
    response = world.request(persona, 'POST', '/v3/projects', json={'project': {
        'name': f.unique('p'), 'domain_id': world.other_domain.id}})
    assert response.status_code == status


def test_domain_admin_creates_in_its_domain_by_default(world):
    response = world.request('domain_admin', 'POST', '/v3/projects',
                             json={'project': {'name': f.unique('p')}})
    assert response.status_code == 201
    assert response.json['project']['domain_id'] == world.domain.id


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS))
def test_update_project(world, persona, status):
    response = world.request(persona, 'PATCH', f'/v3/projects/{world.project.id}',
                             json={'project': {'description': f'set by {persona}'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_delete_project(world, persona, status):
    project = f.make_project(world.backend, domain=world.domain)
    response = world.request(persona, 'DELETE', f'/v3/projects/{project.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_delete_project_of_another_domain(world, persona, status):
    project = f.make_project(world.backend, domain=world.other_domain)
    response = world.request(persona, 'DELETE', f'/v3/projects/{project.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona', sorted(ON_PROJECT))
def test_project_personas_cannot_disable_or_delete_their_project(world, persona):
    path = f'/v3/projects/{world.project.id}'
    assert world.request(persona, 'PATCH', path,
                         json={'project': {'enabled': False}}).status_code == 403
    assert world.request(persona, 'DELETE', path).status_code == 403


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS | {'project_member'}))
def test_list_projects_of_a_user(world, persona, status):
    path = f"/v3/users/{world.user('project_member').id}/projects"
    assert world.request(persona, 'GET', path).status_code == status


def test_unknown_project_is_404_before_policy(world):
    assert world.request('project_reader', 'GET', '/v3/projects/nope').status_code == 404
