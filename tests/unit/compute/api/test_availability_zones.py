"""``/os-availability-zone``."""
from tests.unit.compute import host_factories as f

URL = '/v2.1/os-availability-zone'


def _setup(env):
    with env.db.writer() as session:
        f.add_agent(session, 'h1')
        f.add_agent(session, 'h2', seen_ago=3600)          # down, still enabled
        f.add_agent(session, 'h3', disabled=True)
        f.add_conductor(session)
        f.add_aggregate(session, 'a1', ['h2'], zone='az1')
        f.add_aggregate(session, 'a3', ['h3'], zone='az3')


def test_list_shows_zones_and_availability_without_hosts_or_internal(env, api):
    _setup(env)
    response = api.get(URL, as_='reader')
    assert response.status_code == 200
    assert response.json == {'availabilityZoneInfo': [
        {'zoneName': 'az1', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'az3', 'zoneState': {'available': False}, 'hosts': None}]}


def test_detail_shows_hosts_services_and_the_internal_zone(env, api):
    _setup(env)
    response = api.get(f'{URL}/detail', as_='cloud_admin')
    assert response.status_code == 200
    info = {z['zoneName']: z for z in response.json['availabilityZoneInfo']}
    assert set(info) == {'az1', 'internal', 'nova', 'az3'}
    assert info['nova']['hosts']['h1']['nova-compute']['available'] is True
    assert info['nova']['hosts']['h1']['nova-compute']['active'] is True
    assert info['az1']['hosts']['h2']['nova-compute']['available'] is False
    assert set(info['internal']['hosts']['ctl']) == {'nova-conductor'}
    assert info['az3'] == {'zoneName': 'az3', 'zoneState': {'available': False},
                           'hosts': None}
    updated = info['nova']['hosts']['h1']['nova-compute']['updated_at']
    assert len(updated) == len('2026-01-01T00:00:00.000000')


def test_detail_is_for_cloud_admins(api):
    assert api.get(f'{URL}/detail', as_='project_admin').status_code == 403


def test_list_needs_a_known_role(api):
    assert api.get(URL, as_='foo').status_code == 403
