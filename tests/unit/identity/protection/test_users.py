"""Who may do what with users (``/v3/users``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, DOMAIN_ADMINS,
                                                     DOMAIN_READERS, EVERYONE, matrix)


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_list_users(world, persona, status):
    assert world.request(persona, 'GET', '/v3/users').status_code == status


@pytest.mark.parametrize('persona', ['domain_admin', 'domain_reader'])
def test_domain_persona_lists_only_its_domain(world, persona):
    users = world.request(persona, 'GET', '/v3/users').json['users']
    assert users and {u['domain_id'] for u in users} == {world.domain.id}
    other = world.request(persona, 'GET', f'/v3/users?domain_id={world.other_domain.id}')
    assert other.status_code == 403


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS))
def test_get_user(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    assert world.request(persona, 'GET', f'/v3/users/{user.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(EVERYONE))
def test_get_self(world, persona, status):
    path = f'/v3/users/{world.user(persona).id}'
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'other_member'}))
def test_get_user_of_another_domain(world, persona, status):
    path = f"/v3/users/{world.user('other_member').id}"
    assert world.request(persona, 'GET', path).status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=201))
def test_create_user(world, persona, status):
    response = world.request(persona, 'POST', '/v3/users', json={'user': {
        'name': f.unique('u'), 'domain_id': world.domain.id, 'password': 'pw'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_user_in_another_domain(world, persona, status):
    response = world.request(persona, 'POST', '/v3/users', json={'user': {
        'name': f.unique('u'), 'domain_id': world.other_domain.id}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS))
def test_update_user(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    response = world.request(persona, 'PATCH', f'/v3/users/{user.id}',
                             json={'user': {'enabled': False}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS))
def test_reset_password_of_another_domains_user(world, persona, status):
    user = f.make_user(world.backend, domain=world.other_domain)
    response = world.request(persona, 'PATCH', f'/v3/users/{user.id}',
                             json={'user': {'password': 'taken over'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS))
def test_update_self(world, persona, status):
    """Users cannot edit their own record (enable themselves, move domains …)."""
    response = world.request(persona, 'PATCH', f'/v3/users/{world.user(persona).id}',
                             json={'user': {'email': f'{persona}@example.com'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_ADMINS, ok=204))
def test_delete_user(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    assert world.request(persona, 'DELETE', f'/v3/users/{user.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(set()))
def test_nobody_changes_another_users_password(world, persona, status):
    user = f.make_user(world.backend, domain=world.domain)
    response = world.request(persona, 'POST', f'/v3/users/{user.id}/password', json={
        'user': {'original_password': f.PASSWORD, 'password': 'hijacked'}})
    assert response.status_code == status


def test_owner_changes_own_password(world):
    user = f.make_user(world.backend, domain=world.domain)
    token = f.token_for(world.backend, user)
    response = world.api.post(f'/v3/users/{user.id}/password', token=token, json={
        'user': {'original_password': f.PASSWORD, 'password': 'mine'}})
    assert response.status_code == 204


@pytest.mark.parametrize('persona, status', matrix(DOMAIN_READERS | {'project_member'}))
def test_list_groups_of_a_user(world, persona, status):
    path = f"/v3/users/{world.user('project_member').id}/groups"
    assert world.request(persona, 'GET', path).status_code == status
