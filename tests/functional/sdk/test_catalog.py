"""``common.catalog.ensure_catalog_entries`` with a service's own credentials."""
import pytest

from common import catalog
from common import clients
from tests.functional.sdk.conftest import unique


@pytest.fixture
def service_type(conn):
    """A service type of this test only; its catalog entries are removed afterwards."""
    service_type = unique('test-service')
    yield service_type
    for service in conn.identity.services(type=service_type):
        for endpoint in conn.identity.endpoints(service=service):
            conn.identity.delete_endpoint(endpoint)
        conn.identity.delete_service(service)


def _endpoints(conn, service):
    return {(e.interface, e.region_id): (e.id, e.url) for e in conn.identity.endpoints(
        service=service)}


def test_ensure_catalog_entries_is_idempotent(conn, service_conf, service_type):
    as_service = clients.service_connection(service_conf)
    assert 'service' in as_service.access.role_names
    urls = {'public': 'http://svc.example:8774/v2.1', 'internal': 'http://10.0.0.5:8774/v2.1'}

    service = catalog.ensure_catalog_entries(as_service, service_type, 'nova', urls,
                                             'RegionOne', description='Compute')
    assert (service.type, service.name, service.description) == (service_type, 'nova',
                                                                  'Compute')
    first = _endpoints(conn, service)
    assert {key: url for key, (_id, url) in first.items()} == {
        ('public', 'RegionOne'): urls['public'], ('internal', 'RegionOne'): urls['internal']}

    again = catalog.ensure_catalog_entries(as_service, service_type, 'nova', urls, 'RegionOne')
    assert again.id == service.id
    assert [s.id for s in conn.identity.services(type=service_type)] == [service.id]
    assert _endpoints(conn, service) == first

    # A published entry shows in new tokens' catalogs.
    catalog_types = [entry.type for entry in as_service.identity.auth_catalog()]
    assert service_type in catalog_types


def test_ensure_catalog_entries_moves_a_changed_url_and_leaves_the_rest(
        conn, service_conf, service_type):
    as_service = clients.service_connection(service_conf)
    urls = {'public': 'http://old.example/v1', 'internal': 'http://10.0.0.5/v1'}
    service = catalog.ensure_catalog_entries(as_service, service_type, 'svc', urls,
                                             'RegionOne')
    region = conn.identity.create_region(id=unique('Region'))
    try:
        admin_endpoint = conn.identity.create_endpoint(
            service_id=service.id, interface='admin', url='http://admin.example/v1',
            region_id='RegionOne')
        elsewhere = conn.identity.create_endpoint(
            service_id=service.id, interface='public', url='http://far.example/v1',
            region_id=region.id)
        before = _endpoints(conn, service)

        moved = {**urls, 'public': 'http://new.example/v1'}
        catalog.ensure_catalog_entries(as_service, service_type, 'svc', moved, 'RegionOne')
        after = _endpoints(conn, service)
        assert after[('public', 'RegionOne')] == (before[('public', 'RegionOne')][0],
                                                  'http://new.example/v1')
        assert after[('internal', 'RegionOne')] == before[('internal', 'RegionOne')]
        assert after[('admin', 'RegionOne')] == (admin_endpoint.id, 'http://admin.example/v1')
        assert after[('public', region.id)] == (elsewhere.id, 'http://far.example/v1')
        assert len(after) == 4
    finally:
        for endpoint in conn.identity.endpoints(service=service, region_id=region.id):
            conn.identity.delete_endpoint(endpoint)
        conn.identity.delete_region(region)


def test_missing_endpoints_are_added_to_an_existing_service(conn, service_conf, service_type):
    existing = conn.identity.create_service(type=service_type, name='registered-by-hand')
    as_service = clients.service_connection(service_conf)
    service = catalog.ensure_catalog_entries(as_service, service_type, 'other-name',
                                             {'public': 'http://p.example/v1'}, 'RegionOne')
    assert (service.id, service.name) == (existing.id, 'registered-by-hand')
    assert list(_endpoints(conn, service)) == [('public', 'RegionOne')]
