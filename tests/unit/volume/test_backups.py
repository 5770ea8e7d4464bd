"""Backups through the API: create (full and incremental), list, show, delete, restore,
admin actions, quotas and tenant isolation."""
import pytest

from volume import backups as domain
from volume import states
from volume.db import models as m
from tests.unit.volume.copies_fixtures import copies_env

DETAIL_KEYS = {'id', 'status', 'size', 'object_count', 'availability_zone', 'container',
               'created_at', 'updated_at', 'name', 'description', 'fail_reason', 'volume_id',
               'links', 'is_incremental', 'has_dependent_backups', 'snapshot_id',
               'data_timestamp'}


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


def _backup(api, volume_id, as_='member', **attrs):
    return api.post('backups', {'backup': {'volume_id': volume_id, **attrs}}, as_=as_)


def _made(env, volume_id, **attrs):
    response = _backup(env.api, volume_id, **attrs)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()['backup']


def _finish(env, backup_id, status=states.BACKUP_AVAILABLE):
    """Play the conductor: the backup ends ``status``, its volume is released."""
    with env.db.writer() as session:
        backup = session.get(m.Backup, backup_id)
        assert domain.transition(session, backup_id, None, status=status, host='node-1@file')
        domain.release_volume(session, backup.volume_id, states.BACKING_UP)


def _status(env, model, row_id):
    with env.db.reader() as session:
        return session.get(model, row_id).status


def test_create_is_202_and_the_volume_is_backing_up(env, api):
    volume = env.available_volume(size=3)
    response = _backup(api, volume['id'], name='b1', description=None, incremental=None,
                       force=None, snapshot_id=None, container=None)
    assert response.status_code == 202
    backup = response.get_json()['backup']
    assert set(backup) == {'id', 'name', 'links'} and backup['name'] == 'b1'
    assert env.conductor.named('create_backup') == [{'backup_id': backup['id']}]
    assert _status(env, m.Volume, volume['id']) == states.BACKING_UP
    shown = api.get(f"backups/{backup['id']}").get_json()['backup']
    assert set(shown) == DETAIL_KEYS
    assert (shown['status'], shown['size'], shown['is_incremental']) == ('creating', 3, False)
    # The volume is busy: another backup, a snapshot or a delete must wait.
    assert 'must be available or in-use' in _error(_backup(api, volume['id']))
    _error(api.delete(f"volumes/{volume['id']}"))
    _finish(env, backup['id'])
    assert _status(env, m.Volume, volume['id']) == states.AVAILABLE


def test_in_use_volume_needs_force(env, api):
    volume = env.available_volume()
    env.add_attachment(volume['id'])
    assert 'force' in _error(_backup(api, volume['id']))
    backup = _made(env, volume['id'], force=True)
    _finish(env, backup['id'])
    assert _status(env, m.Volume, volume['id']) == states.IN_USE


def test_incremental_needs_a_full_backup_and_chains(env, api):
    volume = env.available_volume()
    assert 'No backups available' in _error(_backup(api, volume['id'], incremental=True))
    full = _made(env, volume['id'])
    _finish(env, full['id'])
    incremental = _made(env, volume['id'], incremental=True)
    shown = api.get(f"backups/{incremental['id']}").get_json()['backup']
    assert shown['is_incremental'] is True
    with env.db.reader() as session:
        assert session.get(m.Backup, incremental['id']).parent_id == full['id']
    assert api.get(f"backups/{full['id']}").get_json()['backup']['has_dependent_backups']
    # A backup with dependants cannot be deleted, even by force.
    assert 'Incremental backups exist' in _error(api.delete(f"backups/{full['id']}"))
    _error(api.post(f"backups/{full['id']}/action", {'os-force_delete': {}},
                    as_='cloud_admin', project='project-p'))


def test_later_microversions_show_metadata_and_user(env, api):
    volume = env.available_volume()
    _error(_backup(api, volume['id'], metadata={'k': 'v'}))
    response = api.post('backups', {'backup': {'volume_id': volume['id'],
                                               'metadata': {'k': 'v'}}}, version='3.56')
    backup_id = response.get_json()['backup']['id']
    shown = api.get(f'backups/{backup_id}', version='3.56').get_json()['backup']
    assert shown['metadata'] == {'k': 'v'} and shown['user_id'] == 'user-member'
    admin = api.get(f'backups/{backup_id}', version='3.18', as_='cloud_admin',
                    project='project-p').get_json()['backup']
    assert admin['os-backup-project-attr:project_id'] == 'project-p'


@pytest.mark.parametrize('body', [
    {}, {'backup': {}}, {'backup': {'volume_id': 'v', 'incremental': 'perhaps'}},
    {'backup': {'volume_id': 'v', 'bogus': 1}},
    {'backup': {'volume_id': 'v', 'snapshot_id': 'not-a-uuid'}},
])
def test_bad_bodies_are_400(api, body):
    _error(api.post('backups', body))


def test_backing_up_a_snapshot_is_refused_plainly(env, api):
    volume = env.available_volume()
    snapshot_id = env.add_snapshot(volume['id'])
    assert 'not supported' in _error(_backup(api, volume['id'], snapshot_id=snapshot_id))


def test_quotas(make_env):
    env = copies_env(make_env, quota__backups=1)
    volume = env.available_volume(size=2)
    _finish(env, _made(env, volume['id'])['id'])
    assert 'Maximum number of backups' in _error(_backup(env.api, volume['id']), 413)
    env = copies_env(make_env, quota__backup_gigabytes=2)
    volume = env.available_volume(size=3)
    assert 'Backup gigabytes' in _error(_backup(env.api, volume['id']), 413)
    assert _status(env, m.Volume, volume['id']) == states.AVAILABLE


def test_unreachable_conductor_is_503_and_undone(env, api):
    volume = env.available_volume()
    env.conductor.fail = True
    _error(_backup(api, volume['id']), 503)
    assert _status(env, m.Volume, volume['id']) == states.AVAILABLE
    [backup] = api.get('backups/detail').get_json()['backups']
    assert backup['status'] == 'error' and 'unreachable' in backup['fail_reason']


def test_list_filters_and_pages(env, api):
    one, two = env.available_volume(), env.available_volume()
    ids = []
    for volume, name in ((one, 'a'), (two, 'b'), (one, 'c')):
        backup = _made(env, volume['id'], name=name)
        _finish(env, backup['id'])
        ids.append(backup['id'])
    assert {b['id'] for b in api.get(f"backups?volume_id={one['id']}")
            .get_json()['backups']} == {ids[0], ids[2]}
    assert [b['name'] for b in api.get('backups/detail?name=b').get_json()['backups']] == ['b']
    page = api.get('backups?limit=2&sort=name:asc').get_json()
    assert [b['name'] for b in page['backups']] == ['a', 'b']
    assert 'marker=' in page['backups_links'][0]['href']
    rest = api.get(f"backups?limit=2&sort=name:asc&marker={page['backups'][-1]['id']}")
    assert [b['name'] for b in rest.get_json()['backups']] == ['c']


def test_delete(env, api):
    volume = env.available_volume()
    backup = _made(env, volume['id'])
    assert 'must be available or error' in _error(api.delete(f"backups/{backup['id']}"))
    _finish(env, backup['id'])
    assert api.delete(f"backups/{backup['id']}").status_code == 202
    assert _status(env, m.Backup, backup['id']) == states.BACKUP_DELETING
    assert env.conductor.named('delete_backup') == [{'backup_id': backup['id']}]
    _error(api.delete(f"backups/{backup['id']}"))
    _error(api.delete(f"backups/{backup['id']}?force=maybe"))


def test_force_delete_and_reset_status_are_for_admins(env, api):
    volume = env.available_volume()
    backup = _made(env, volume['id'])
    path = f"backups/{backup['id']}"
    _error(api.delete(f'{path}?force=true'), 403)
    _error(api.post(f'{path}/action', {'os-reset_status': {'status': 'error'}}), 403)
    admin = {'as_': 'cloud_admin', 'project': 'project-p'}
    _error(api.post(f'{path}/action', {'os-reset_status': {'status': 'restoring'}}, **admin))
    assert api.post(f'{path}/action', {'os-reset_status': {'status': 'error'}},
                    **admin).status_code == 202
    assert _status(env, m.Backup, backup['id']) == states.BACKUP_ERROR
    assert api.delete(f'{path}?force=true', **admin).status_code == 202


def test_restore_onto_an_existing_volume(env, api):
    volume = env.available_volume(size=2)
    backup = _made(env, volume['id'])
    _finish(env, backup['id'])
    target = env.available_volume(size=1)
    path = f"backups/{backup['id']}/restore"
    assert 'too small to restore backup of size 2' in _error(api.post(path, {'restore': {
        'volume_id': target['id']}}))
    env.update_volume(target['id'], status='in-use')
    bigger = env.available_volume(size=3)
    env.update_volume(bigger['id'], status='error')
    assert 'must be available' in _error(api.post(path, {'restore': {
        'volume_id': bigger['id']}}))
    env.update_volume(bigger['id'], status='available')
    response = api.post(path, {'restore': {'volume_id': bigger['id']}})
    assert response.status_code == 202
    assert response.get_json()['restore'] == {'backup_id': backup['id'],
                                              'volume_id': bigger['id'],
                                              'volume_name': bigger['name']}
    assert _status(env, m.Volume, bigger['id']) == states.RESTORING_BACKUP
    assert _status(env, m.Backup, backup['id']) == states.BACKUP_RESTORING
    assert env.conductor.named('restore_backup') == [{'backup_id': backup['id'],
                                                      'volume_id': bigger['id']}]
    assert 'must be available' in _error(api.post(path, {'restore': {}}))


def test_restore_onto_a_new_volume_takes_its_quota(make_env):
    env = copies_env(make_env, quota__volumes=2)
    volume = env.available_volume(size=2)
    backup = _made(env, volume['id'])
    _finish(env, backup['id'])
    response = env.api.post(f"backups/{backup['id']}/restore", {'restore': None})
    assert response.status_code == 202
    restored = response.get_json()['restore']
    assert restored['volume_name'] == f"restore_backup_{backup['id']}"
    new = env.volume_row(restored['volume_id'])
    assert (new.status, new.size, new.host) == (states.CREATING, 2, None)
    # No second volume fits the quota: the backup stays available.
    with env.db.writer() as session:
        domain.transition(session, backup['id'], None, status=states.BACKUP_AVAILABLE)
    _error(env.api.post(f"backups/{backup['id']}/restore", {'restore': {'name': 'x'}}), 413)
    assert _status(env, m.Backup, backup['id']) == states.BACKUP_AVAILABLE


def test_restore_is_undone_when_the_conductor_is_unreachable(env, api):
    volume = env.available_volume()
    backup = _made(env, volume['id'])
    _finish(env, backup['id'])
    env.conductor.fail = True
    _error(api.post(f"backups/{backup['id']}/restore", {'restore': {'volume_id': volume['id']}}),
           503)
    assert _status(env, m.Volume, volume['id']) == states.AVAILABLE
    assert _status(env, m.Backup, backup['id']) == states.BACKUP_AVAILABLE


def test_another_project_neither_sees_nor_touches_them(env, api):
    volume = env.available_volume()
    backup = _made(env, volume['id'])
    _finish(env, backup['id'])
    path = f"backups/{backup['id']}"
    assert api.get('backups/detail', as_='other_member').get_json()['backups'] == []
    _error(api.get(path, as_='other_member'), 404)
    _error(api.delete(path, as_='other_member'), 404)
    _error(api.post(f'{path}/restore', {'restore': {}}, as_='other_member'), 404)
    _error(_backup(api, volume['id'], as_='other_member'), 404)
    # Nor restore one's own backup onto another project's volume.
    theirs = env.available_volume(as_='other_member')
    _error(api.post(f'{path}/restore', {'restore': {'volume_id': theirs['id']}}), 404)
    _error(api.delete(path, as_='reader'), 403)
    everyone = api.get('backups?all_tenants=1', as_='cloud_admin').get_json()['backups']
    assert [b['id'] for b in everyone] == [backup['id']]
    assert api.get('backups', as_='cloud_admin').get_json()['backups'] == []


def test_a_backup_is_made_in_its_volume_zone(env, api):
    volume = env.available_volume()
    assert 'availability zone' in _error(_backup(api, volume['id'], availability_zone='elsewhere'))
    assert _backup(api, volume['id'], availability_zone='nova').status_code == 202
