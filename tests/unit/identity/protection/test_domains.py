"""Who may do what with domains (``/v3/domains``)."""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, ON_PROJECT,
                                                     matrix)


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS))
def test_list_domains(world, persona, status):
    assert world.request(persona, 'GET', '/v3/domains').status_code == status


@pytest.mark.parametrize('persona, status', matrix(
    CLOUD_READERS | {'domain_admin', 'domain_reader'} | ON_PROJECT))
def test_get_own_domain(world, persona, status):
    assert world.request(persona, 'GET', f'/v3/domains/{world.domain.id}').status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_READERS | {'other_member'}))
def test_get_another_domain(world, persona, status):
    response = world.request(persona, 'GET', f'/v3/domains/{world.other_domain.id}')
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=201))
def test_create_domain(world, persona, status):
    response = world.request(persona, 'POST', '/v3/domains',
                             json={'domain': {'name': f.unique('d')}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS))
def test_update_own_domain(world, persona, status):
    """Not even its domain admin may rename or disable a domain."""
    response = world.request(persona, 'PATCH', f'/v3/domains/{world.domain.id}',
                             json={'domain': {'description': f'by {persona}'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix(CLOUD_ADMINS, ok=204))
def test_delete_domain(world, persona, status):
    domain = f.make_domain(world.backend, enabled=False)
    assert world.request(persona, 'DELETE', f'/v3/domains/{domain.id}').status_code == status
