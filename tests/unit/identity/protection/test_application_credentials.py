"""Who may see and manage whose application credentials.

A credential belongs to its user alone: only the owner creates them,
cloud readers may look, cloud admins may delete; domain admins of the
user's domain have no say.
"""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, PERSONAS,
                                                     matrix)

PROJECT_SCOPED = {'cloud_admin', 'project_admin', 'project_member', 'project_reader',
                  'other_member', 'foo'}


def _owner(world):
    return world.user('project_member')


def _credential(world):
    credential, _ = f.make_application_credential(world.backend, _owner(world), world.project)
    return credential


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'project_member'}))
def test_list(world, persona, status):
    path = f'/v3/users/{_owner(world).id}/application_credentials'
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'project_member'}))
def test_get(world, persona, status):
    path = f'/v3/users/{_owner(world).id}/application_credentials/{_credential(world).id}'
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix({'project_member'}, ok=201))
def test_create_for_someone(world, persona, status):
    path = f'/v3/users/{_owner(world).id}/application_credentials'
    response = world.request(persona, 'POST', path,
                             json={'application_credential': {'name': f.unique('c')}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(
    PROJECT_SCOPED, ok=201, **{p: 400 for p in set(PERSONAS) - PROJECT_SCOPED}))
def test_create_own(world, persona, status):
    """Everyone may make their own; it needs a project-scoped token (else 400)."""
    path = f'/v3/users/{world.user(persona).id}/application_credentials'
    response = world.request(persona, 'POST', path,
                             json={'application_credential': {'name': f.unique('c')}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS | {'project_member'}, ok=204))
def test_delete(world, persona, status):
    path = f'/v3/users/{_owner(world).id}/application_credentials/{_credential(world).id}'
    assert world.request(persona, 'DELETE', path).status_code == status


@pytest.mark.parametrize('persona', sorted(set(PERSONAS) - {'project_member'}))
def test_someone_elses_credential_under_ones_own_name_is_hidden(world, persona):
    path = f'/v3/users/{world.user(persona).id}/application_credentials/{_credential(world).id}'
    assert world.request(persona, 'GET', path).status_code == 404
    assert world.request(persona, 'DELETE', path).status_code in (403, 404)
