"""Backups as the conductor drives them: create, restore (onto an existing or a new
volume) and delete cast to an agent, and the agents' reports recorded with conditional
updates; agents also show as ``cinder-backup`` services."""
import pytest

from volume import rpcapi
from volume import service_names
from volume import states
from volume.conductor import backups
from volume.db import models as m
from tests.unit.volume.conductor.helpers import report_backend
from tests.unit.volume.copies_fixtures import BACKEND, VOLUME_HOST, CopiesAgents, copies_env

RESULT = {'size': 2, 'object_count': 7, 'provider_location': '/backups/backup-x'}


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


@pytest.fixture
def agents():
    return CopiesAgents()


@pytest.fixture
def backupper(env, agents):
    return backups.Backupper(env.conf, env.db, agents)


def _row(env, model, row_id):
    with env.db.reader() as session:
        return session.get(model, row_id)


def _made(env, backupper, volume_id, **attrs):
    """A backup the API asked for and the conductor recorded as made."""
    response = env.api.post('backups', {'backup': {'volume_id': volume_id, **attrs}})
    assert response.status_code == 202, response.get_data(as_text=True)
    backup_id = response.get_json()['backup']['id']
    backupper.create_backup(None, backup_id)
    assert backupper.backup_done(backup_id, rpcapi.CREATE, BACKEND, RESULT, None)
    return backup_id


def test_create_is_cast_to_the_volume_backend_and_releases_the_volume(env, agents, backupper):
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    full = _made(env, backupper, volume['id'])
    row = _row(env, m.Backup, full)
    assert (row.status, row.host, row.object_count) == ('available', BACKEND, 7)
    assert row.data_timestamp is not None
    assert env.volume_row(volume['id']).status == states.AVAILABLE
    incremental = _made(env, backupper, volume['id'], incremental=True)
    (_, first), (_, second) = agents.named('create_backup')
    assert first['parent'] is None and first['volume']['id'] == volume['id']
    assert second['parent']['id'] == full and second['backup']['id'] == incremental
    # Late and foreign reports change nothing.
    assert not backupper.backup_done(full, rpcapi.CREATE, BACKEND, None, 'late')
    assert not backupper.backup_done(full, rpcapi.DELETE, 'node-2@file', None, None)
    assert _row(env, m.Backup, full).status == states.BACKUP_AVAILABLE


def test_a_failed_create_errs_and_puts_the_volume_back(env, agents, backupper):
    volume = env.available_volume(host=VOLUME_HOST)
    env.add_attachment(volume['id'])
    response = env.api.post('backups', {'backup': {'volume_id': volume['id'], 'force': True}})
    backup_id = response.get_json()['backup']['id']
    backupper.create_backup(None, backup_id)
    assert backupper.backup_done(backup_id, rpcapi.CREATE, BACKEND, None, 'disk full')
    row = _row(env, m.Backup, backup_id)
    assert (row.status, row.fail_reason) == (states.BACKUP_ERROR, 'disk full')
    assert env.volume_row(volume['id']).status == states.IN_USE


def test_an_unreachable_agent_ends_the_create_in_error(env, agents, backupper):
    volume = env.available_volume(host=VOLUME_HOST)
    response = env.api.post('backups', {'backup': {'volume_id': volume['id']}})
    backup_id = response.get_json()['backup']['id']
    agents.fail = True
    backupper.create_backup(None, backup_id)
    assert _row(env, m.Backup, backup_id).status == states.BACKUP_ERROR
    assert env.volume_row(volume['id']).status == states.AVAILABLE


def test_restore_onto_an_existing_volume(env, agents, backupper):
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    backup_id = _made(env, backupper, volume['id'])
    target = env.available_volume(size=2, host='node-2@file#file')
    env.api.post(f'backups/{backup_id}/restore', {'restore': {'volume_id': target['id']}})
    backupper.restore_backup(None, backup_id, target['id'])
    [(backend, args)] = agents.named('restore_backup')
    assert (backend, args['create'], args['volume']['id']) == ('node-2@file', False,
                                                               target['id'])
    # Only the target's backend may report it.
    assert not backupper.backup_done(backup_id, rpcapi.RESTORE, BACKEND,
                                     {'volume_id': target['id']}, None)
    assert backupper.backup_done(backup_id, rpcapi.RESTORE, 'node-2@file',
                                 {'volume_id': target['id']}, 'corrupt chunk')
    assert env.volume_row(target['id']).status == states.ERROR_RESTORING
    assert _row(env, m.Backup, backup_id).status == states.BACKUP_AVAILABLE
    assert not backupper.backup_done(backup_id, rpcapi.RESTORE, 'node-2@file',
                                     {'volume_id': target['id']}, None)


def test_restore_onto_a_new_volume_schedules_it(env, agents, backupper):
    report_backend(env, BACKEND)
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    backup_id = _made(env, backupper, volume['id'])
    restored = env.api.post(f'backups/{backup_id}/restore',
                            {'restore': {}}).get_json()['restore']
    backupper.restore_backup(None, backup_id, restored['volume_id'])
    [(backend, args)] = agents.named('restore_backup')
    assert (backend, args['create']) == (BACKEND, True)
    assert env.volume_row(restored['volume_id']).host == VOLUME_HOST
    assert backupper.backup_done(backup_id, rpcapi.RESTORE, BACKEND,
                                 {'volume_id': restored['volume_id'],
                                  'provider_location': '/v', 'format': 'raw'}, None)
    row = env.volume_row(restored['volume_id'])
    assert (row.status, row.provider_location, row.format) == ('available', '/v', 'raw')


def test_restore_onto_a_new_volume_without_backend_errs(env, agents, backupper):
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    backup_id = _made(env, backupper, volume['id'])
    restored = env.api.post(f'backups/{backup_id}/restore',
                            {'restore': {}}).get_json()['restore']
    backupper.restore_backup(None, backup_id, restored['volume_id'])
    assert agents.named('restore_backup') == []
    assert env.volume_row(restored['volume_id']).status == states.ERROR
    assert _row(env, m.Backup, backup_id).status == states.BACKUP_AVAILABLE


def test_delete_goes_to_the_agent_that_made_it(env, agents, backupper):
    volume = env.available_volume(host=VOLUME_HOST)
    backup_id = _made(env, backupper, volume['id'])
    assert env.api.delete(f'backups/{backup_id}').status_code == 202
    backupper.delete_backup(None, backup_id)
    [(backend, args)] = agents.named('delete_backup')
    assert (backend, args['backup']['id']) == (BACKEND, backup_id)
    assert backupper.backup_done(backup_id, rpcapi.DELETE, BACKEND, None, None)
    row = _row(env, m.Backup, backup_id)
    assert (row.status, row.deleted_at is not None) == (states.BACKUP_DELETED, True)
    assert env.api.get(f'backups/{backup_id}').status_code == 404


def test_agents_show_as_backup_services(env):
    backups.record_backup_service(env.db, rpcapi.BackendState(
        host=BACKEND, availability_zone='nova', capabilities={}))
    services = env.api.get('os-services', as_='cloud_admin').get_json()['services']
    assert {(s['binary'], s['host'], s['state']) for s in services
            if s['binary'] == service_names.BACKUP_BINARY} == {
        (service_names.BACKUP_BINARY, BACKEND, 'up')}


def test_a_repeated_restore_message_does_not_undo_the_restore(env, agents, backupper):
    report_backend(env, BACKEND)
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    backup_id = _made(env, backupper, volume['id'])
    restored = env.api.post(f'backups/{backup_id}/restore',
                            {'restore': {}}).get_json()['restore']
    backupper.restore_backup(None, backup_id, restored['volume_id'])
    backupper.restore_backup(None, backup_id, restored['volume_id'])
    assert len(agents.named('restore_backup')) == 1
    assert env.volume_row(restored['volume_id']).status == states.CREATING
    assert _row(env, m.Backup, backup_id).status == states.BACKUP_RESTORING
