"""Who may read and change the catalog (regions, services, endpoints).

The catalog also has a ``service`` persona: other Stratus services register
their own endpoints with the ``service`` role.
"""
import pytest

from tests.unit.identity import factories as f
from tests.unit.identity.protection.conftest import (CLOUD_ADMINS, CLOUD_READERS, EVERYONE,
                                                     PERSONAS, Persona, matrix)

WITH_SERVICE = PERSONAS + ('service',)


@pytest.fixture(scope='module')
def world(world):
    project = f.make_project(world.backend, name='service')
    user = f.make_user(world.backend, name='compute')
    f.grant(world.backend, 'service', user=user, project=project)
    world.personas['service'] = Persona('service', user,
                                        f.token_for(world.backend, user, project=project))
    return world


@pytest.fixture
def service(world):
    return world.request('cloud_admin', 'POST', '/v3/services', json={
        'service': {'type': f.unique('type')}}).json['service']


def _matrix(allowed, **kwargs):
    return matrix(allowed, personas=WITH_SERVICE, **kwargs)


@pytest.mark.parametrize('persona, status', _matrix(EVERYONE | {'service'}))
def test_read_regions(world, persona, status):
    assert world.request(persona, 'GET', '/v3/regions').status_code == status
    assert world.request(persona, 'GET', '/v3/regions/RegionOne').status_code == status


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS, ok=201))
def test_create_region(world, persona, status):
    response = world.request(persona, 'POST', '/v3/regions',
                             json={'region': {'id': f.unique('region')}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS, ok=204))
def test_delete_region(world, persona, status):
    region_id = f.unique('region')
    world.request('cloud_admin', 'PUT', f'/v3/regions/{region_id}', json={'region': {}})
    assert world.request(persona, 'DELETE', f'/v3/regions/{region_id}').status_code == status


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_READERS | {'service'}))
def test_read_services_and_endpoints(world, service, persona, status):
    for path in ('/v3/services', f"/v3/services/{service['id']}", '/v3/endpoints'):
        assert world.request(persona, 'GET', path).status_code == status, path


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS | {'service'}, ok=201))
def test_register_service_and_endpoint(world, persona, status):
    response = world.request(persona, 'POST', '/v3/services',
                             json={'service': {'type': f.unique('type')}})
    assert response.status_code == status
    if status == 201:
        endpoint = world.request(persona, 'POST', '/v3/endpoints', json={'endpoint': {
            'service_id': response.json['service']['id'], 'interface': 'public',
            'url': 'http://svc:1234'}})
        assert endpoint.status_code == 201


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS | {'service'}))
def test_update_service(world, service, persona, status):
    response = world.request(persona, 'PATCH', f"/v3/services/{service['id']}",
                             json={'service': {'description': 'changed'}})
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS, ok=204))
def test_delete_service(world, service, persona, status):
    """Services register themselves but cannot remove others."""
    response = world.request(persona, 'DELETE', f"/v3/services/{service['id']}")
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', _matrix(CLOUD_ADMINS, ok=204))
def test_delete_endpoint(world, service, persona, status):
    endpoint = world.request('cloud_admin', 'POST', '/v3/endpoints', json={'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'url': 'http://x:1'}}).json
    path = f"/v3/endpoints/{endpoint['endpoint']['id']}"
    assert world.request(persona, 'DELETE', path).status_code == status


@pytest.mark.parametrize('persona, status', _matrix(EVERYONE | {'service'}))
def test_own_catalog(world, persona, status):
    assert world.request(persona, 'GET', '/v3/auth/catalog').status_code == status
