"""Who may validate and revoke whose tokens (``/v3/auth/tokens``), and the
token-holder's own views (``/v3/auth/projects``, ``/domains``, ``/system``).
"""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, EVERYONE,
                                                     matrix)

TOKENS = '/v3/auth/tokens'


def _members_token(world):
    return f.token_for(world.backend, world.user('project_member'), project=world.project)


def _own_token(world, persona):
    """A second token of the persona's user, in the persona's scope."""
    user = world.user(persona)
    scope = {'system_admin': {'system': True}, 'system_reader': {'system': True},
             'domain_admin': {'domain': world.domain},
             'domain_reader': {'domain': world.domain},
             'cloud_admin': {'project': world.env.admin_project},
             'other_member': {'project': world.other_project}}.get(persona,
                                                                   {'project': world.project})
    return f.token_for(world.backend, user, **scope)


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'project_member'}))
def test_validate_someones_token(world, persona, status):
    subject = _members_token(world)
    for method in ('GET', 'HEAD'):
        response = world.request(persona, method, TOKENS, headers={'X-Subject-Token': subject})
        assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS | {'project_member'}, ok=204))
def test_revoke_someones_token(world, persona, status):
    subject = _members_token(world)
    response = world.request(persona, 'DELETE', TOKENS, headers={'X-Subject-Token': subject})
    assert response.status_code == status
    still_valid = world.request('cloud_admin', 'GET', TOKENS,
                                headers={'X-Subject-Token': subject}).status_code == 200
    assert still_valid is (status != 204)


@pytest.mark.parametrize('persona, status', matrix(EVERYONE))
def test_validate_own_token(world, persona, status):
    response = world.request(persona, 'GET', TOKENS,
                             headers={'X-Subject-Token': _own_token(world, persona)})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(EVERYONE, ok=204))
def test_revoke_own_token(world, persona, status):
    response = world.request(persona, 'DELETE', TOKENS,
                             headers={'X-Subject-Token': _own_token(world, persona)})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(EVERYONE))
def test_what_the_token_may_reach(world, persona, status):
    for path in ('/v3/auth/projects', '/v3/auth/domains', '/v3/auth/system'):
        assert world.request(persona, 'GET', path).status_code == status, path


def test_auth_projects_shows_only_ones_own(world):
    projects = world.request('project_member', 'GET', '/v3/auth/projects').json['projects']
    assert [p['id'] for p in projects] == [world.project.id]


def test_service_validates_users_tokens(world):
    project = f.make_project(world.backend)
    user = f.make_user(world.backend)
    f.grant(world.backend, 'service', user=user, project=project)
    service_token = f.token_for(world.backend, user, project=project)
    response = world.api.get(TOKENS, token=service_token,
                             headers={'X-Subject-Token': _members_token(world)})
    assert response.status_code == 200
