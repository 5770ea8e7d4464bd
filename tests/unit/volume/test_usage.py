"""os-usage: GB-hours of a project's volumes and snapshots over a period, clipped to it;
a project sees only its own usage, a cloud admin any; bad dates are 400s."""
import datetime

import pytest

from volume import states

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 1, 1, tzinfo=UTC)


def _at(hours):
    return T0 + datetime.timedelta(hours=hours)


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (fault,) = response.get_json().values()
    assert fault['code'] == code and fault['message']
    return fault['message']


def _usage(api, start, end, project='project-p', **kwargs):
    response = api.get(f'os-usage/{project}', query_string={
        'start': start.isoformat(), 'end': end.isoformat()}, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()['usage']


def _volume(env, size, created, deleted=None, as_='member'):
    volume = env.api.volume(size=size, as_=as_)
    values = {'created_at': _at(created)}
    if deleted is not None:
        values.update(deleted_at=_at(deleted), status=states.DELETED)
    env.update_volume(volume['id'], **values)
    return volume['id']


def test_gb_hours_are_clipped_to_the_period(env, api):
    _volume(env, 2, created=-5)                 # before the start, still there: 10 h
    _volume(env, 3, created=4, deleted=6)       # inside: 2 h
    _volume(env, 5, created=8, deleted=20)      # runs past the end: 2 h
    _volume(env, 7, created=-10, deleted=-1)    # gone before the start
    _volume(env, 7, created=11)                 # made after the end
    snapshot_of = _volume(env, 4, created=-100, deleted=-50)
    env.add_snapshot(snapshot_of, created_at=_at(1), deleted_at=_at(3))
    usage = _usage(api, _at(0), _at(10))
    assert usage == {'project_id': 'project-p', 'start': '2026-01-01T00:00:00+00:00',
                     'end': '2026-01-01T10:00:00+00:00',
                     'volume_gb_hours': 2 * 10 + 3 * 2 + 5 * 2, 'snapshot_gb_hours': 4 * 2}


def test_a_living_volume_counts_until_now(env, api):
    now = datetime.datetime.now(UTC)
    volume = env.api.volume(size=4)
    env.update_volume(volume['id'], created_at=now - datetime.timedelta(hours=3))
    usage = _usage(api, now - datetime.timedelta(days=1), now + datetime.timedelta(days=1))
    assert usage['volume_gb_hours'] == pytest.approx(12, abs=0.01)


def test_naive_dates_are_utc_and_others_are_converted(env, api):
    _volume(env, 1, created=0)
    response = api.get('os-usage/project-p', query_string={
        'start': '2026-01-01T00:00:00', 'end': '2026-01-01T03:00:00+02:00'})
    assert response.status_code == 200, response.get_data(as_text=True)
    usage = response.get_json()['usage']
    assert (usage['end'], usage['volume_gb_hours']) == ('2026-01-01T01:00:00+00:00', 1)


def test_a_project_sees_only_its_own_usage(env, api):
    _volume(env, 2, created=0, as_='other_member')
    _volume(env, 3, created=0)
    assert _usage(api, _at(0), _at(1))['volume_gb_hours'] == 3
    assert _usage(api, _at(0), _at(1), project='project-q',
                  as_='other_reader')['volume_gb_hours'] == 2
    response = api.get('os-usage/project-q', query_string={
        'start': _at(0).isoformat(), 'end': _at(1).isoformat()})
    assert _error(response, 403)


def test_a_cloud_admin_reads_any_project(env, api):
    _volume(env, 2, created=0, as_='other_member')
    assert _usage(api, _at(0), _at(2), project='project-q',
                  as_='cloud_admin')['volume_gb_hours'] == 4


@pytest.mark.parametrize('query', [
    {}, {'start': '2026-01-01T00:00:00'}, {'end': '2026-01-01T00:00:00'},
    {'start': 'yesterday', 'end': '2026-01-01T00:00:00'},
    {'start': '2026-01-01T00:00:00', 'end': '2026-13-01T00:00:00'},
    {'start': '2026-01-02T00:00:00', 'end': '2026-01-01T00:00:00'},
    {'start': '2026-01-01T00:00:00', 'end': '2026-01-01T00:00:00'},
])
def test_bad_dates_are_400(api, query):
    assert _error(api.get('os-usage/project-p', query_string=query))
