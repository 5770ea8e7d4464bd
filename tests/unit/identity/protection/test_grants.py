"""Who may grant which roles where (``/v3/{projects,domains,system}/…/roles``).

Granting is where privilege escalates: a domain admin manages grants inside
its domain but never on the cloud's admin project, never for users of
another domain, and nobody grants themselves more than they have.
"""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, DOMAIN_ADMINS,
                                                     DOMAIN_READERS, EVERYONE, matrix)


def _role_id(world, name):
    return f.role(world.backend, name).id


def _project_grant(world, user, role='member', project=None):
    project = project or world.project
    return f'/v3/projects/{project.id}/users/{user.id}/roles/{_role_id(world, role)}'


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_grant_on_a_project_of_the_domain(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    assert world.request(persona, 'PUT', _project_grant(world, user)).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_grant_to_a_user_of_another_domain(world, persona, status):
    user = f.make_user(world.backend, domain=world.other_domain)
    assert world.request(persona, 'PUT', _project_grant(world, user)).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_grant_on_a_project_of_another_domain(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    path = _project_grant(world, user, project=world.other_project)
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_grant_admin_on_the_admin_project(world, persona, status):
    user = f.make_user(world.backend)
    path = _project_grant(world, user, role='admin', project=world.env.admin_project)
    assert world.request(persona, 'PUT', path).status_code == status


def test_admin_of_the_admin_projects_domain_has_no_domain_admin_powers(world):
    """Default holds the admin project: only cloud admins administer it.

    Otherwise its domain admin could grant themselves roles on the admin
    project, or simply reset the cloud admin's password.
    """
    admin = f.make_user(world.backend)
    f.grant(world.backend, 'admin', user=admin, domain='default')
    token = f.token_for(world.backend, admin, domain='default')
    user = f.make_user(world.backend)
    elsewhere = f.make_project(world.backend)
    assert world.api.put(_project_grant(world, user, 'admin', elsewhere),
                         token=token).status_code == 403
    for role in ('admin', 'member', 'reader'):
        path = _project_grant(world, user, role, world.env.admin_project)
        assert world.api.put(path, token=token).status_code == 403
        assert world.api.put(_project_grant(world, admin, role, world.env.admin_project),
                             token=token).status_code == 403
    reset = world.api.patch(f'/v3/users/{world.env.admin.id}',
                            json={'user': {'password': 'taken-over'}}, token=token)
    assert reset.status_code == 403


@pytest.mark.parametrize('persona', ['project_admin', 'project_member', 'domain_reader', 'foo'])
def test_nobody_grants_themselves_more(world, persona):
    user = world.user(persona)
    for target in (world.project, world.env.admin_project):
        path = _project_grant(world, user, 'admin', target)
        assert world.request(persona, 'PUT', path).status_code == 403
    path = f"/v3/system/users/{user.id}/roles/{_role_id(world, 'admin')}"
    assert world.request(persona, 'PUT', path).status_code == 403


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS, ok=204))
def test_check_grant(world, persona, status):
    path = _project_grant(world, world.user('project_member'))
    assert world.request(persona, 'HEAD', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_grants(world, persona, status):
    path = f"/v3/projects/{world.project.id}/users/{world.user('project_member').id}/roles"
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_revoke_grant(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    f.grant(world.backend, 'member', user=user, project=world.project)
    assert world.request(persona, 'DELETE', _project_grant(world, user)).status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_grant_on_the_domain(world, persona, status):
    group = f.make_group(world.backend, domain=world.domain)
    path = f"/v3/domains/{world.domain.id}/groups/{group.id}/roles/{_role_id(world, 'reader')}"
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_grant_on_the_system(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    path = f"/v3/system/users/{user.id}/roles/{_role_id(world, 'reader')}"
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_revoke_on_the_system(world, persona, status):
    user = f.make_user(world.backend)
    f.grant(world.backend, 'reader', user=user, system=True)
    path = f"/v3/system/users/{user.id}/roles/{_role_id(world, 'reader')}"
    assert world.request(persona, 'DELETE', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS))
def test_list_system_grants_of_someone(world, persona, status):
    path = f"/v3/system/users/{world.user('system_reader').id}/roles"
    if persona == 'system_reader':
        status = 200  # their own
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(EVERYONE))
def test_list_own_system_grants(world, persona, status):
    path = f'/v3/system/users/{world.user(persona).id}/roles'
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_only_cloud_admins_grant_the_service_role(world, persona, status):
    """``service`` manages the catalog and revokes anyone's tokens: granting it
    would let a domain admin reach far beyond their domain."""
    user = f.make_user(world.backend, domain=world.domain)
    for target in (f'/v3/projects/{world.project.id}', f'/v3/domains/{world.domain.id}'):
        path = f"{target}/users/{user.id}/roles/{_role_id(world, 'service')}"
        assert world.request(persona, 'PUT', path).status_code == status


def test_a_domain_admin_cannot_hijack_the_catalog_through_the_service_role(world):
    user = f.make_user(world.backend, domain=world.domain)
    path = _project_grant(world, user, role='service')
    assert world.request('domain_admin', 'PUT', path).status_code == 403
    # Revoking it inside the domain stays allowed (it takes power away).
    f.grant(world.backend, 'service', user=user, project=world.project)
    assert world.request('domain_admin', 'DELETE', path).status_code == 204
