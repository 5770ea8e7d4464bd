"""Who may do what with groups and membership (``/v3/groups``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, DOMAIN_ADMINS,
                                                     DOMAIN_READERS, matrix)


@pytest.fixture
def group(world):
    return f.make_group(world.backend, domain=world.domain)


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_groups(world, persona, status):
    assert world.request(persona, 'GET', '/v3/groups').status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_get_group(world, group, persona, status):
    assert world.request(persona, 'GET', f'/v3/groups/{group.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=201))
def test_create_group(world, persona, status):
    response = world.request(persona, 'POST', '/v3/groups', json={'group': {
        'name': f.unique('g'), 'domain_id': world.domain.id}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_group_in_another_domain(world, persona, status):
    response = world.request(persona, 'POST', '/v3/groups', json={'group': {
        'name': f.unique('g'), 'domain_id': world.other_domain.id}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS))
def test_update_group(world, group, persona, status):
    response = world.request(persona, 'PATCH', f'/v3/groups/{group.id}',
                             json={'group': {'description': 'changed'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_delete_group(world, group, persona, status):
    assert world.request(persona, 'DELETE', f'/v3/groups/{group.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_members(world, group, persona, status):
    assert world.request(persona, 'GET', f'/v3/groups/{group.id}/users').status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS, ok=204))
def test_check_membership(world, group, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    f.add_member(world.backend, group, user)
    path = f'/v3/groups/{group.id}/users/{user.id}'
    assert world.request(persona, 'HEAD', path).status_code == status


def test_member_checks_own_membership(world, group):
    user = f.make_user(world.backend, domain=world.domain)
    f.add_member(world.backend, group, user)
    token = f.token_for(world.backend, user)
    assert world.api.head(f'/v3/groups/{group.id}/users/{user.id}',
                          token=token).status_code == 204


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_add_member(world, group, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    path = f'/v3/groups/{group.id}/users/{user.id}'
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_add_member_of_another_domain(world, group, persona, status):
    """A domain admin cannot pull other domains' users into its groups."""
    user = f.make_user(world.backend, domain=world.other_domain)
    path = f'/v3/groups/{group.id}/users/{user.id}'
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_add_own_domain_user_to_another_domains_group(world, persona, status):
    """… nor push its users into other domains' groups (which may hold roles there)."""
    group = f.make_group(world.backend, domain=world.other_domain)
    user = f.make_user(world.backend, domain=world.domain)
    path = f'/v3/groups/{group.id}/users/{user.id}'
    assert world.request(persona, 'PUT', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_remove_member(world, group, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    f.add_member(world.backend, group, user)
    path = f'/v3/groups/{group.id}/users/{user.id}'
    assert world.request(persona, 'DELETE', path).status_code == status
