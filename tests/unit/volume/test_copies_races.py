"""Regressions of the snapshot, backup and snapshot-policy paths: an incremental backup
never outlives the parent it reads, a backup force-deleted while its agent works does
not leave its volume busy, a snapshot is never deleted while a volume is made from
it, and the policy runner neither prunes a snapshot a volume is
being made from nor leaves a snapshot ``creating`` when another policy fails."""
import datetime

import pytest
import sqlalchemy as sa

from volume import backups
from volume import lifecycle
from volume import rpcapi
from volume import snapshots
from volume import states
from volume import volumes
from volume.conductor import backups as conductor_backups
from volume.conductor import snapshot_policies as runner_module
from volume.conductor import snapshots as conductor_snapshots
from volume.db import models as m
from tests.unit.volume.copies_fixtures import BACKEND, VOLUME_HOST, CopiesAgents, copies_env

UTC = datetime.timezone.utc


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


def _backup(env, volume_id, status=states.BACKUP_AVAILABLE, **values):
    volume = env.volume_row(volume_id)
    with env.db.writer() as session:
        row = m.Backup(project_id=volume.project_id, user_id=volume.user_id,
                       volume_id=volume_id, size=volume.size, status=status,
                       availability_zone=volume.availability_zone, service=backups.SERVICE,
                       host='node-1@file', **values)
        session.add(row)
        session.flush()
        return row.id


def test_an_incremental_create_fails_when_its_parent_went_deleting(env, monkeypatch):
    """The parent was read ``available``, then a delete took it: the create must not
    chain onto it (the child would restore from chunks the delete removes)."""
    volume = env.available_volume(host=VOLUME_HOST)
    parent_id = _backup(env, volume['id'])
    real_latest = backups._latest

    def latest_then_deleted(session, volume_id):
        parent = real_latest(session, volume_id)
        backups.transition(session, parent.id, None, status=states.BACKUP_DELETING)
        return parent

    monkeypatch.setattr(backups, '_latest', latest_then_deleted)
    response = env.api.post('backups', {'backup': {'volume_id': volume['id'],
                                                   'incremental': True}})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert env.volume_row(volume['id']).status == states.AVAILABLE
    with env.db.reader() as session:
        assert session.get(m.Backup, parent_id).status == states.BACKUP_AVAILABLE  # rolled back
    assert env.conductor.named('create_backup') == []


def test_a_delete_refuses_a_parent_whose_child_appeared_meanwhile(env, monkeypatch):
    """The dependants are checked again once the parent's row is taken."""
    volume = env.available_volume(host=VOLUME_HOST)
    parent_id = _backup(env, volume['id'])
    real_to_deleting = backups._to_deleting

    def child_commits_first(session, backup_id, expected):
        parent = session.get(m.Backup, backup_id)
        session.add(m.Backup(project_id=parent.project_id, user_id=parent.user_id,
                             volume_id=parent.volume_id, size=parent.size,
                             status=states.BACKUP_CREATING, parent_id=backup_id,
                             incremental=True, service=backups.SERVICE))
        session.flush()
        return real_to_deleting(session, backup_id, expected)

    monkeypatch.setattr(backups, '_to_deleting', child_commits_first)
    response = env.api.delete(f'backups/{parent_id}')
    assert response.status_code == 400, response.get_data(as_text=True)
    assert 'Incremental backups exist' in response.get_data(as_text=True)
    with env.db.reader() as session:
        assert session.get(m.Backup, parent_id).status == states.BACKUP_AVAILABLE
    assert env.conductor.named('delete_backup') == []


def _runner(env, now):
    agents = CopiesAgents()
    snapshotter = conductor_snapshots.Snapshotter(env.db, agents)
    return runner_module.PolicyRunner(env.conf, env.db, snapshotter, clock=lambda: now), agents


def _policy(env, volume_id, **fields):
    body = {'volume_id': volume_id, 'interval_type': 'hourly', 'schedule': '0',
            'max_snaps': 1, **fields}
    response = env.api.post('snapshot-policies', {'snapshot_policy': body})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()['snapshot_policy']


def test_pruning_keeps_a_snapshot_a_volume_is_being_made_from(env):
    volume = env.available_volume(host=VOLUME_HOST)
    policy = _policy(env, volume['id'])
    old, new = (env.add_snapshot(volume['id'], policy_id=policy['id']) for _ in range(2))
    with env.db.writer() as session:  # ``old`` is pruned first: make it older
        session.get(m.Snapshot, old).created_at = datetime.datetime(2020, 1, 1)
    copy = env.api.volume(snapshot_id=old)
    assert env.volume_row(copy['id']).status == states.CREATING
    runner, agents = _runner(env, datetime.datetime.now(UTC) - datetime.timedelta(days=1))
    assert runner.run() == ([], [])
    with env.db.reader() as session:
        assert session.get(m.Snapshot, old).status == states.SNAPSHOT_AVAILABLE
        assert session.get(m.Snapshot, new).status == states.SNAPSHOT_AVAILABLE
    assert agents.calls == []


def test_a_failing_policy_leaves_no_snapshot_creating(env, monkeypatch):
    first = env.available_volume(host=VOLUME_HOST)
    second = env.available_volume(host=VOLUME_HOST)
    policies = [_policy(env, first['id']), _policy(env, second['id'])]
    due = datetime.datetime.fromisoformat(policies[0]['next_run_at']).replace(tzinfo=UTC)
    runner, agents = _runner(env, due + datetime.timedelta(hours=2))
    real_run_one = runner._run_one

    def second_fails(policy_id, now):
        if policy_id == policies[1]['id']:
            raise RuntimeError('a broken row')
        return real_run_one(policy_id, now)

    monkeypatch.setattr(runner, '_run_one', second_fails)
    monkeypatch.setattr(runner, '_due', lambda now: [p['id'] for p in policies])
    taken, _pruned = runner.run()
    assert len(taken) == 1
    assert [kwargs['snapshot']['id'] for kwargs in
            (k for _b, k in agents.named('create_snapshot'))] == taken


# --- a backup force-deleted while its agent works: the volume is not left busy ----------

def _force_delete(env, backup_id):
    response = env.api.post(f'backups/{backup_id}/action', {'os-force_delete': {}},
                            as_='cloud_admin', project='project-p')
    assert response.status_code == 202, response.get_data(as_text=True)


@pytest.mark.parametrize('error', [None, 'disk full'])
def test_a_backup_force_deleted_while_made_releases_its_volume(env, error):
    backupper = conductor_backups.Backupper(env.conf, env.db, CopiesAgents())
    volume = env.available_volume(host=VOLUME_HOST)
    response = env.api.post('backups', {'backup': {'volume_id': volume['id']}})
    backup_id = response.get_json()['backup']['id']
    backupper.create_backup(None, backup_id)
    _force_delete(env, backup_id)
    values = None if error else {'size': 1, 'object_count': 1, 'provider_location': '/b'}
    assert not backupper.backup_done(backup_id, rpcapi.CREATE, BACKEND, values, error)
    assert env.volume_row(volume['id']).status == states.AVAILABLE
    with env.db.reader() as session:
        assert session.get(m.Backup, backup_id).status == states.BACKUP_DELETING


def test_a_late_create_report_leaves_another_backup_s_volume_busy(env):
    backupper = conductor_backups.Backupper(env.conf, env.db, CopiesAgents())
    volume = env.available_volume(host=VOLUME_HOST)
    first = env.api.post('backups', {'backup': {'volume_id': volume['id']}})
    first_id = first.get_json()['backup']['id']
    backupper.create_backup(None, first_id)
    values = {'size': 1, 'object_count': 1, 'provider_location': '/b'}
    assert backupper.backup_done(first_id, rpcapi.CREATE, BACKEND, values, None)
    second = env.api.post('backups', {'backup': {'volume_id': volume['id']}})
    assert second.status_code == 202
    assert not backupper.backup_done(first_id, rpcapi.CREATE, BACKEND, values, None)
    assert env.volume_row(volume['id']).status == states.BACKING_UP


def test_a_backup_force_deleted_while_restored_ends_the_restore(env):
    backupper = conductor_backups.Backupper(env.conf, env.db, CopiesAgents())
    volume = env.available_volume(host=VOLUME_HOST)
    backup_id = _backup(env, volume['id'])
    target = env.available_volume(host=VOLUME_HOST)
    response = env.api.post(f'backups/{backup_id}/restore',
                            {'restore': {'volume_id': target['id']}})
    assert response.status_code == 202, response.get_data(as_text=True)
    backupper.restore_backup(None, backup_id, target['id'])
    _force_delete(env, backup_id)
    assert not backupper.backup_done(backup_id, rpcapi.RESTORE, BACKEND,
                                     {'volume_id': target['id']}, None)
    assert env.volume_row(target['id']).status == states.AVAILABLE


# --- a snapshot deleted while a volume is made from it ----------------------------------

def test_a_create_from_a_snapshot_that_went_deleting_fails(env, monkeypatch):
    """The snapshot was read ``available``, then a delete took it: no volume is made."""
    volume = env.available_volume(host=VOLUME_HOST)
    snapshot_id = env.add_snapshot(volume['id'])
    real_get = volumes.get_snapshot

    def read_then_deleted(session, caller, wanted):
        snapshot = real_get(session, caller, wanted)
        session.execute(sa.update(m.Snapshot).where(m.Snapshot.id == wanted)
                        .values(status=states.SNAPSHOT_DELETING)
                        .execution_options(synchronize_session=False))
        return snapshot

    monkeypatch.setattr(volumes, 'get_snapshot', read_then_deleted)
    response = env.api.post('volumes', {'volume': {'snapshot_id': snapshot_id}})
    assert response.status_code == 400, response.get_data(as_text=True)
    with env.db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Volume).where(
            m.Volume.snapshot_id == snapshot_id)) == 0


def test_a_delete_refuses_a_snapshot_a_copy_of_which_appeared_meanwhile(env, monkeypatch):
    volume = env.available_volume(host=VOLUME_HOST)
    snapshot_id = env.add_snapshot(volume['id'])
    real_transition = snapshots.transition

    def copy_commits_first(session, wanted, expected, **values):
        source = session.get(m.Volume, volume['id'])
        session.add(m.Volume(project_id=source.project_id, user_id=source.user_id, size=1,
                             status=states.CREATING, attach_status=states.DETACHED,
                             volume_type_id=source.volume_type_id, snapshot_id=wanted))
        session.flush()
        return real_transition(session, wanted, expected, **values)

    monkeypatch.setattr(snapshots, 'transition', copy_commits_first)
    response = env.api.delete(f'snapshots/{snapshot_id}')
    assert response.status_code == 400, response.get_data(as_text=True)
    assert 'being created from this snapshot' in response.get_data(as_text=True)
    with env.db.reader() as session:
        assert session.get(m.Snapshot, snapshot_id).status == states.SNAPSHOT_AVAILABLE
    assert env.conductor.named('delete_snapshot') == []


def test_a_restore_onto_a_volume_reset_meanwhile_is_not_cast(env):
    """The admin put the target back ``available`` (it may be attached by now): the
    backup must not overwrite it."""
    agents = CopiesAgents()
    backupper = conductor_backups.Backupper(env.conf, env.db, agents)
    volume = env.available_volume(host=VOLUME_HOST)
    backup_id = _backup(env, volume['id'])
    target = env.available_volume(host=VOLUME_HOST)
    response = env.api.post(f'backups/{backup_id}/restore',
                            {'restore': {'volume_id': target['id']}})
    assert response.status_code == 202, response.get_data(as_text=True)
    env.update_volume(target['id'], status=states.AVAILABLE)
    backupper.restore_backup(None, backup_id, target['id'])
    assert agents.named('restore_backup') == []
    with env.db.reader() as session:
        assert session.get(m.Backup, backup_id).status == states.BACKUP_AVAILABLE


def test_a_volume_delete_refuses_a_snapshot_committed_meanwhile(env, monkeypatch):
    """The delete read no snapshot, then a snapshot create committed before its UPDATE:
    the volume must not go (its snapshot would be left without it)."""
    volume = env.available_volume(host=VOLUME_HOST)
    env.add_snapshot(volume['id'], status=states.SNAPSHOT_CREATING)
    reads = []
    real_live = lifecycle.db_api.live_snapshots

    def stale_first(session, volume_id):
        reads.append(volume_id)
        return [] if len(reads) == 1 else real_live(session, volume_id)

    monkeypatch.setattr(lifecycle.db_api, 'live_snapshots', stale_first)
    response = env.api.delete(f"volumes/{volume['id']}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert env.volume_row(volume['id']).status == states.AVAILABLE
    assert env.conductor.named('delete_volume') == []
