"""os-services (cloud admins) and os-availability-zone (anyone), from the services table."""
import pytest

ADMIN = {'as_': 'cloud_admin'}


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


@pytest.fixture
def services(env):
    env.add_service('h1@file', zone='nova')
    env.add_service('h2@file', zone='moon', seen=600)
    env.add_service('controller', binary='cinder-scheduler', zone=None)
    env.add_service('h1', binary='cinder-backup')


def test_zones_come_from_the_backends(env, api, services):
    body = api.get('os-availability-zone', as_='reader').get_json()
    assert body == {'availabilityZoneInfo': [
        {'zoneName': 'moon', 'zoneState': {'available': False}},
        {'zoneName': 'nova', 'zoneState': {'available': True}}]}
    assert api.get('os-availability-zone', as_='foo').status_code == 403


def test_no_backend_no_zone(api):
    assert api.get('os-availability-zone').get_json() == {'availabilityZoneInfo': []}


def test_list_services(api, services):
    assert api.get('os-services').status_code == 403
    listed = api.get('os-services', **ADMIN).get_json()['services']
    by_host = {(s['host'], s['binary']): s for s in listed}
    agent = by_host[('h1@file', 'cinder-volume')]
    assert (agent['zone'], agent['status'], agent['state']) == ('nova', 'enabled', 'up')
    assert agent['disabled_reason'] is None and agent['frozen'] is False
    assert by_host[('h2@file', 'cinder-volume')]['state'] == 'down'
    conductor = by_host[('controller', 'cinder-scheduler')]
    assert conductor['zone'] == 'nova' and 'frozen' not in conductor
    assert set(conductor) == {'binary', 'host', 'zone', 'status', 'state', 'updated_at',
                              'disabled_reason'}
    filtered = api.get('os-services?binary=cinder-volume&host=h2@file', **ADMIN)
    assert [s['host'] for s in filtered.get_json()['services']] == ['h2@file']
    later = api.get('os-services?binary=cinder-volume', version='3.49', **ADMIN).get_json()
    assert all('cluster' in s and 'backend_state' in s for s in later['services'])


def test_disable_and_enable(env, api, services):
    body = {'host': 'h1@file', 'binary': 'cinder-volume'}
    assert api.put('os-services/disable', body).status_code == 403
    disabled = api.put('os-services/disable', body, **ADMIN)
    assert disabled.get_json() == {'host': 'h1@file', 'service': '', 'binary': 'cinder-volume',
                                   'status': 'disabled', 'disabled': True}
    zones = api.get('os-availability-zone').get_json()['availabilityZoneInfo']
    assert {z['zoneName']: z['zoneState']['available'] for z in zones} == {'moon': False,
                                                                           'nova': False}
    reason = api.put('os-services/disable-log-reason',
                     {**body, 'disabled_reason': 'maintenance'}, **ADMIN).get_json()
    assert reason['disabled_reason'] == 'maintenance'
    listed = api.get('os-services?host=h1@file', **ADMIN).get_json()['services'][0]
    assert (listed['status'], listed['disabled_reason']) == ('disabled', 'maintenance')
    enabled = api.put('os-services/enable', body, **ADMIN).get_json()
    assert enabled['status'] == 'enabled' and enabled['disabled'] is False
    listed = api.get('os-services?host=h1@file', **ADMIN).get_json()['services'][0]
    assert (listed['status'], listed['disabled_reason']) == ('enabled', None)


def test_service_key_is_the_older_binary(api, services):
    response = api.put('os-services/disable', {'host': 'h1', 'service': 'cinder-backup'},
                       **ADMIN)
    assert response.get_json()['service'] == 'cinder-backup'


@pytest.mark.parametrize('action, body, code', [
    ('disable', {'host': 'nowhere', 'binary': 'cinder-volume'}, 404),
    ('disable', {'binary': 'cinder-volume'}, 400),
    ('disable', {'host': 'h1@file'}, 400),
    ('disable', {'host': 'h1@file', 'binary': 'cinder-volume', 'x': 1}, 400),
    ('disable', {'host': 'bad host!', 'binary': 'cinder-volume'}, 400),
    ('disable-log-reason', {'host': 'h1@file', 'binary': 'cinder-volume'}, 200),
    ('disable-log-reason', {'host': 'h1@file', 'binary': 'cinder-volume',
                            'disabled_reason': '  '}, 400),
    ('freeze', {'host': 'h1@file'}, 404),
])
def test_bad_service_updates(api, services, action, body, code):
    response = api.put(f'os-services/{action}', body, **ADMIN)
    if code == 200:
        assert response.status_code == 200
    else:
        _error(response, code)


def test_a_zone_a_backend_reported_may_be_chosen(env, api, services):
    assert api.volume(availability_zone='moon')['availability_zone'] == 'moon'
