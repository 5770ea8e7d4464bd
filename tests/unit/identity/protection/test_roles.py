"""Who may do what with roles and implications (``/v3/roles``, ``/v3/role_inferences``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS,
                                                     DOMAIN_READERS, matrix)


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_roles(world, persona, status):
    assert world.request(persona, 'GET', '/v3/roles').status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_get_role(world, persona, status):
    path = f"/v3/roles/{world.env.roles['member'].id}"
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_role(world, persona, status):
    response = world.request(persona, 'POST', '/v3/roles',
                             json={'role': {'name': f.unique('role')}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS))
def test_update_role(world, persona, status):
    role = f.make_role(world.backend)
    response = world.request(persona, 'PATCH', f'/v3/roles/{role.id}',
                             json={'role': {'description': 'changed'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_delete_role(world, persona, status):
    role = f.make_role(world.backend)
    assert world.request(persona, 'DELETE', f'/v3/roles/{role.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS))
def test_list_implied_roles(world, persona, status):
    path = f"/v3/roles/{world.env.roles['admin'].id}/implies"
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS))
def test_list_role_inferences(world, persona, status):
    assert world.request(persona, 'GET', '/v3/role_inferences').status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_implied_role(world, persona, status):
    prior, implied = f.make_role(world.backend), f.make_role(world.backend)
    path = f'/v3/roles/{prior.id}/implies/{implied.id}'
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_delete_implied_role(world, persona, status):
    prior, implied = f.make_role(world.backend), f.make_role(world.backend)
    world.request('cloud_admin', 'PUT', f'/v3/roles/{prior.id}/implies/{implied.id}')
    path = f'/v3/roles/{prior.id}/implies/{implied.id}'
    assert world.request(persona, 'DELETE', path).status_code == status


@pytest.mark.parametrize('persona', ['domain_admin', 'project_admin', 'foo'])
def test_nobody_but_a_cloud_admin_makes_foo_imply_admin(world, persona):
    """Making a role one holds imply ``admin`` would be an escalation."""
    foo = f.role(world.backend, 'foo')
    path = f"/v3/roles/{foo.id}/implies/{world.env.roles['admin'].id}"
    assert world.request(persona, 'PUT', path).status_code == 403
