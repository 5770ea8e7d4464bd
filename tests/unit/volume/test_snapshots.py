"""Snapshots through the API: create (and what the conductor is asked), list, show,
update, metadata, delete, admin actions, quotas and tenant isolation."""
import pytest

from volume import snapshots as domain
from volume import states
from volume.db import models as m
from tests.unit.volume.copies_fixtures import copies_env

# Tempest's snapshot keys at 3.0 (Cinder's view).
BASE_KEYS = {'id', 'created_at', 'updated_at', 'name', 'description', 'volume_id', 'status',
             'size', 'metadata'}


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


def _snap(api, volume_id, as_='member', **attrs):
    return api.post('snapshots', {'snapshot': {'volume_id': volume_id, **attrs}}, as_=as_)


def _made(env, volume_id, as_='member', **attrs):
    response = _snap(env.api, volume_id, as_=as_, **attrs)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()['snapshot']


def _row_status(env, snapshot_id):
    with env.db.reader() as session:
        return session.get(m.Snapshot, snapshot_id).status


# --- create ---------------------------------------------------------------------------------

def test_create_is_202_creating_and_cast(env, api):
    volume = env.available_volume(size=2)
    response = _snap(api, volume['id'], name=' nightly ', description='d', force=None,
                     metadata={'k': 'v'})
    assert response.status_code == 202
    snapshot = response.get_json()['snapshot']
    assert set(snapshot) == BASE_KEYS
    assert (snapshot['status'], snapshot['size'], snapshot['name']) == ('creating', 2, 'nightly')
    assert snapshot['metadata'] == {'k': 'v'} and snapshot['volume_id'] == volume['id']
    assert env.conductor.named('create_snapshot') == [{'snapshot_id': snapshot['id']}]


def test_later_microversions_add_their_keys(env, api):
    volume = env.available_volume()
    snapshot = api.post('snapshots', {'snapshot': {'volume_id': volume['id']}},
                        version='3.65').get_json()['snapshot']
    assert set(snapshot) == BASE_KEYS | {'group_snapshot_id', 'user_id', 'consumes_quota'}
    shown = api.get(f"snapshots/{snapshot['id']}").get_json()['snapshot']
    assert shown['os-extended-snapshot-attributes:project_id'] == 'project-p'
    assert shown['os-extended-snapshot-attributes:progress'] == '0%'


def test_in_use_volume_needs_force(env, api):
    volume = env.available_volume()
    env.add_attachment(volume['id'])
    message = _error(_snap(api, volume['id']))
    assert 'must be available' in message and 'in-use' in message
    assert _made(env, volume['id'], force=True)['status'] == 'creating'
    assert _made(env, volume['id'], force='true')['status'] == 'creating'


@pytest.mark.parametrize('status', ['creating', 'error', 'deleting', 'backing-up'])
def test_volume_must_be_available(env, api, status):
    volume = env.available_volume()
    env.update_volume(volume['id'], status=status)
    assert 'must be available' in _error(_snap(api, volume['id'], force=True))
    assert env.conductor.named('create_snapshot') == []


@pytest.mark.parametrize('body', [
    {},
    {'snapshot': {}},
    {'snapshot': {'volume_id': 'v', 'force': 'maybe'}},
    {'snapshot': {'volume_id': 'v', 'unknown': 1}},
    {'snapshot': {'volume_id': 'v', 'metadata': {'k': 1}}},
    {'snapshot': {'volume_id': 'v', 'name': 'x' * 256}},
])
def test_bad_bodies_are_400(api, body):
    _error(api.post('snapshots', body))


def test_unknown_volume_is_404(api):
    assert 'could not be found' in _error(_snap(api, 'no-such-volume'), 404)


def test_quota_of_snapshots_and_gigabytes(make_env):
    env = copies_env(make_env, quota__snapshots=1)
    volume = env.available_volume(size=2)
    _made(env, volume['id'])
    assert 'Maximum number of snapshots' in _error(_snap(env.api, volume['id']), 413)
    env2 = copies_env(make_env, quota__gigabytes=5)
    volume = env2.available_volume(size=3)
    assert 'gigabytes' in _error(_snap(env2.api, volume['id']), 413)


def test_unreachable_conductor_is_503_and_the_snapshot_errs(env, api):
    volume = env.available_volume()
    env.conductor.fail = True
    _error(_snap(api, volume['id']), 503)
    env.conductor.fail = False
    [snapshot] = api.get('snapshots/detail').get_json()['snapshots']
    assert snapshot['status'] == 'error'


# --- list, show, update ---------------------------------------------------------------------

def test_list_filters_and_pages(env, api):
    first = env.available_volume()
    second = env.available_volume()
    ids = [_made(env, first['id'], name=f's{i}')['id'] for i in range(3)]
    other = _made(env, second['id'], name='other')['id']
    body = api.get(f"snapshots?volume_id={first['id']}").get_json()
    assert {s['id'] for s in body['snapshots']} == set(ids)
    assert [s['id'] for s in api.get('snapshots?name=other').get_json()['snapshots']] == [other]
    assert api.get('snapshots?status=available').get_json()['snapshots'] == []
    page = api.get('snapshots/detail?limit=2&sort=name:asc').get_json()
    assert [s['name'] for s in page['snapshots']] == ['other', 's0']
    next_href = page['snapshots_links'][0]['href']
    assert 'marker=' in next_href and '/snapshots/detail?' in next_href
    marker = page['snapshots'][-1]['id']
    rest = api.get(f'snapshots/detail?limit=2&sort=name:asc&marker={marker}').get_json()
    assert [s['name'] for s in rest['snapshots']] == ['s1', 's2']
    _error(api.get('snapshots?sort=bogus'))
    _error(api.get('snapshots?limit=-1'))
    _error(api.get('snapshots?marker=nope'), 404)


def test_update_name_and_description(env, api):
    snapshot = _made(env, env.available_volume()['id'])
    response = api.put(f"snapshots/{snapshot['id']}",
                       {'snapshot': {'name': 'renamed', 'display_description': 'old style'}})
    assert response.status_code == 200
    body = response.get_json()['snapshot']
    assert (body['name'], body['description']) == ('renamed', 'old style')
    _error(api.put(f"snapshots/{snapshot['id']}", {'snapshot': {}}))
    _error(api.put(f"snapshots/{snapshot['id']}", {'snapshot': {'size': 3}}))


def test_metadata(env, api):
    snapshot = _made(env, env.available_volume()['id'], metadata={'a': '1'})
    path = f"snapshots/{snapshot['id']}/metadata"
    assert api.post(path, {'metadata': {'b': '2'}}).get_json() == {
        'metadata': {'a': '1', 'b': '2'}}
    assert api.get(f'{path}/b').get_json() == {'meta': {'b': '2'}}
    assert api.put(f'{path}/b', {'meta': {'b': '3'}}).get_json() == {'meta': {'b': '3'}}
    _error(api.put(f'{path}/b', {'meta': {'c': '3'}}))
    assert api.put(path, {'metadata': {'z': '9'}}).get_json() == {'metadata': {'z': '9'}}
    assert api.delete(f'{path}/z').status_code == 200
    _error(api.delete(f'{path}/z'), 404)
    _error(api.get(f'{path}/z'), 404)
    assert api.get(path).get_json() == {'metadata': {}}


# --- delete and actions ---------------------------------------------------------------------

def test_delete_an_available_snapshot(env, api):
    volume = env.available_volume()
    snapshot = _made(env, volume['id'])
    _error(api.delete(f"snapshots/{snapshot['id']}"))  # still creating
    with env.db.writer() as session:  # the conductor made it
        assert domain.transition(session, snapshot['id'], None, status='available')
    assert api.delete(f"snapshots/{snapshot['id']}").status_code == 202
    assert _row_status(env, snapshot['id']) == states.SNAPSHOT_DELETING
    assert env.conductor.named('delete_snapshot') == [{'snapshot_id': snapshot['id']}]
    _error(api.delete(f"snapshots/{snapshot['id']}"))  # already deleting


def test_delete_put_back_when_the_conductor_is_unreachable(env, api):
    volume = env.available_volume()
    snapshot_id = env.add_snapshot(volume['id'])
    env.conductor.fail = True
    _error(api.delete(f'snapshots/{snapshot_id}'), 503)
    assert _row_status(env, snapshot_id) == states.SNAPSHOT_AVAILABLE


def test_a_volume_with_snapshots_needs_cascade(env, api):
    volume = env.available_volume()
    env.add_snapshot(volume['id'])
    assert 'snapshots' in _error(api.delete(f"volumes/{volume['id']}"))
    assert api.delete(f"volumes/{volume['id']}?cascade=true").status_code == 202


def test_volume_from_a_snapshot_names_it_and_its_backend(env, api):
    volume = env.available_volume(size=2)
    snapshot_id = env.add_snapshot(volume['id'])
    made = env.api.volume(snapshot_id=snapshot_id, size=2)
    assert made['size'] == 2 and made['snapshot_id'] == snapshot_id
    [cast] = [c for c in env.conductor.named('create_volume') if c['volume_id'] == made['id']]
    assert cast['request_spec']['snapshot_id'] == snapshot_id
    assert cast['request_spec']['backend_host'] == 'host1@file'
    # The snapshot is being copied: it cannot go meanwhile.
    assert 'being created' in _error(api.delete(f'snapshots/{snapshot_id}'))


def test_reset_status_and_force_delete_are_for_admins(env, api):
    volume = env.available_volume()
    snapshot = _made(env, volume['id'])
    action = f"snapshots/{snapshot['id']}/action"
    _error(api.post(action, {'os-reset_status': {'status': 'available'}}), 403)
    _error(api.post(action, {'os-force_delete': {}}), 403)
    reset = api.post(action, {'os-reset_status': {'status': 'error'}}, as_='cloud_admin',
                     project='project-p')
    assert reset.status_code == 202
    assert _row_status(env, snapshot['id']) == 'error'
    _error(api.post(action, {'os-reset_status': {'status': 'deleting'}}, as_='cloud_admin',
                    project='project-p'))
    _error(api.post(action, {'os-reset_status': {}}, as_='cloud_admin', project='project-p'))
    _error(api.post(action, {'os-bogus': {}}, as_='cloud_admin', project='project-p'))
    env.conductor.calls.clear()
    with env.db.writer() as session:
        domain.transition(session, snapshot['id'], None, status='creating')
    forced = api.post(action, {'os-force_delete': {}}, as_='cloud_admin', project='project-p')
    assert forced.status_code == 202
    assert env.conductor.named('delete_snapshot') == [{'snapshot_id': snapshot['id']}]


# --- tenant isolation -----------------------------------------------------------------------

def test_another_project_neither_sees_nor_touches_them(env, api):
    volume = env.available_volume()
    snapshot = _made(env, volume['id'])
    path = f"snapshots/{snapshot['id']}"
    assert api.get('snapshots', as_='other_member').get_json()['snapshots'] == []
    assert api.get('snapshots/detail?all_tenants=1',
                   as_='other_member').get_json()['snapshots'] == []
    _error(api.get(path, as_='other_member'), 404)
    _error(api.put(path, {'snapshot': {'name': 'x'}}, as_='other_member'), 404)
    _error(api.delete(path, as_='other_member'), 404)
    _error(api.get(f'{path}/metadata', as_='other_member'), 404)
    _error(api.post(f'{path}/metadata', {'metadata': {'a': 'b'}}, as_='other_member'), 404)
    # Nor snapshot another project's volume.
    _error(_snap(api, volume['id'], as_='other_member'), 404)
    # A reader of the project sees but cannot change.
    assert api.get(path, as_='reader').status_code == 200
    _error(api.delete(path, as_='reader'), 403)
    _error(_snap(api, volume['id'], as_='reader'), 403)


def test_admin_lists_every_project_with_all_tenants(env, api):
    snapshot = _made(env, env.available_volume()['id'])
    mine = api.get('snapshots/detail', as_='cloud_admin').get_json()['snapshots']
    assert mine == []
    everyone = api.get('snapshots/detail?all_tenants=true',
                       as_='cloud_admin').get_json()['snapshots']
    assert [s['id'] for s in everyone] == [snapshot['id']]
    narrowed = api.get('snapshots?all_tenants=1&project_id=project-q',
                       as_='cloud_admin').get_json()['snapshots']
    assert narrowed == []
    assert api.get(f"snapshots/{snapshot['id']}", as_='cloud_admin').status_code == 200
