"""``/os-simple-tenant-usage``: the report's shape, periods, pages and who may read it."""
import datetime

import pytest

from common.db.types import utcnow
from compute import states
from tests.unit.compute import host_factories as f

URL = '/v2.1/os-simple-tenant-usage'
H = datetime.timedelta(hours=1)
T0 = f.T0
DAY = 'start=2026-01-01T00:00:00&end=2026-01-02T00:00:00'


@pytest.fixture
def servers(env):
    """In project P: a 2-vCPU server for 10 h of the day, a 1-vCPU one all day; one in Q."""
    with env.db.writer() as session:
        big = f.add_server(session, name='big', vcpus=2, memory_mb=2048, root_gb=20,
                           ephemeral_gb=5, flavor_name='m1.small', launched_at=T0 + 2 * H,
                           terminated_at=T0 + 12 * H, deleted_at=T0 + 12 * H,
                           vm_state=states.DELETED)
        small = f.add_server(session, name='small', launched_at=T0 - 6 * H)
        other = f.add_server(session, name='other', project_id='project-q',
                             launched_at=T0 + 18 * H)
        return {'big': big.uuid, 'small': small.uuid, 'other': other.uuid}


def test_admin_lists_every_project_totals(api, servers):
    response = api.get(f'{URL}?{DAY}', as_='cloud_admin')
    assert response.status_code == 200
    usages = {u['tenant_id']: u for u in response.json['tenant_usages']}
    p = usages['project-p']
    assert p == {'tenant_id': 'project-p', 'total_hours': 34.0,
                 'total_vcpus_usage': 2 * 10 + 24.0,
                 'total_memory_mb_usage': 2048 * 10 + 512 * 24.0,
                 'total_local_gb_usage': 25 * 10 + 1 * 24.0,
                 'start': '2026-01-01T00:00:00.000000', 'stop': '2026-01-02T00:00:00.000000'}
    assert usages['project-q']['total_hours'] == 6.0


def test_detailed_lists_server_usages(api, servers):
    response = api.get(f'{URL}?{DAY}&detailed=1', as_='cloud_admin')
    p = {u['tenant_id']: u for u in response.json['tenant_usages']}['project-p']
    big = {s['instance_id']: s for s in p['server_usages']}[servers['big']]
    assert big == {'instance_id': servers['big'], 'name': 'big', 'tenant_id': 'project-p',
                   'flavor': 'm1.small', 'hours': 10.0, 'vcpus': 2, 'memory_mb': 2048,
                   'local_gb': 25, 'started_at': '2026-01-01T02:00:00.000000',
                   'ended_at': '2026-01-01T12:00:00.000000', 'state': 'terminated',
                   'uptime': 36000}


def test_own_project_usage(api, servers):
    response = api.get(f'{URL}/project-p?{DAY}', as_='reader')
    assert response.status_code == 200
    usage = response.json['tenant_usage']
    assert usage['total_hours'] == 34.0
    assert {s['name'] for s in usage['server_usages']} == {'big', 'small'}


def test_a_project_without_servers_has_an_empty_usage(api, servers):
    response = api.get(f'{URL}/project-z?{DAY}', as_='cloud_admin')
    assert response.json == {'tenant_usage': {}}


def test_end_is_capped_at_now(api, env):
    with env.db.writer() as session:
        f.add_server(session, launched_at=utcnow() - 2 * H)
    start = (utcnow() - 4 * H).isoformat()
    end = (utcnow() + 48 * H).isoformat()
    usage = api.get(f'{URL}/project-p?start={start}&end={end}', as_='member').json
    assert usage['tenant_usage']['total_hours'] == pytest.approx(2.0, abs=0.01)


def test_times_with_an_offset_are_converted_to_utc(api, servers):
    query = 'start=2026-01-01T02:00:00%2B02:00&end=2026-01-02T02:00:00%2B02:00'
    usage = api.get(f'{URL}/project-p?{query}', as_='member').json['tenant_usage']
    assert usage['start'] == '2026-01-01T00:00:00.000000'


@pytest.mark.parametrize('query', ['start=yesterday', 'end=2026-13-01T00:00:00',
                                   'start=2026-01-02T00:00:00&end=2026-01-01T00:00:00'])
def test_bad_periods_are_400(api, query):
    response = api.get(f'{URL}?{query}', as_='cloud_admin')
    assert response.status_code == 400
    assert 'badRequest' in response.json


def test_pages_and_links_from_2_40(api, servers):
    first = api.get(f'{URL}?{DAY}&detailed=1&limit=2', as_='cloud_admin', version='2.40').json
    (link,) = first['tenant_usages_links']
    listed = [s['instance_id'] for u in first['tenant_usages'] for s in u['server_usages']]
    assert len(listed) == 2 and f'marker={listed[-1]}' in link['href']
    rest = api.get(f'{URL}?{DAY}&detailed=1&limit=2&marker={listed[-1]}',
                   as_='cloud_admin', version='2.40').json
    assert [s['instance_id'] for u in rest['tenant_usages'] for s in u['server_usages']] == \
        [servers['other']]
    assert 'tenant_usages_links' not in rest
    old = api.get(f'{URL}?{DAY}&limit=2', as_='cloud_admin', version='2.39').json
    assert 'tenant_usages_links' not in old and len(old['tenant_usages']) == 2
    bad = api.get(f'{URL}?{DAY}&marker=nope', as_='cloud_admin', version='2.40')
    assert bad.status_code == 400


def test_show_links_from_2_40(api, servers):
    body = api.get(f'{URL}/project-p?{DAY}&limit=1', as_='member', version='2.40').json
    (link,) = body['tenant_usage_links']
    assert '/os-simple-tenant-usage/project-p?' in link['href']


def test_listing_every_project_is_for_cloud_admins(api):
    assert api.get(URL, as_='project_admin').status_code == 403


def test_another_projects_usage_is_forbidden(api, servers):
    assert api.get(f'{URL}/project-q?{DAY}', as_='member').status_code == 403
