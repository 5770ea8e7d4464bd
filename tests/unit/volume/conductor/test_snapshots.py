"""Snapshots as the conductor drives them: the casts to the volume's backend, and the
agents' reports recorded with conditional updates (late, repeated or foreign reports
change nothing)."""
import pytest

from volume import rpcapi
from volume import states
from volume.agent import copies
from volume.agent.drivers import driver as base
from volume.conductor import snapshots
from volume.db import models as m
from tests.unit.volume.copies_fixtures import BACKEND, VOLUME_HOST, CopiesAgents, copies_env

LOCATION = '/var/lib/stratus/volumes/snapshot-x'


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


@pytest.fixture
def agents():
    return CopiesAgents()


@pytest.fixture
def snapshotter(env, agents):
    return snapshots.Snapshotter(env.db, agents)


def _snapshot(env, volume_id):
    response = env.api.post('snapshots', {'snapshot': {'volume_id': volume_id}})
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()['snapshot']['id']


def _row(env, snapshot_id):
    with env.db.reader() as session:
        return session.get(m.Snapshot, snapshot_id)


def test_create_is_cast_to_the_volume_backend_and_ends_available(env, agents, snapshotter):
    volume = env.available_volume(size=2, host=VOLUME_HOST)
    snapshot_id = _snapshot(env, volume['id'])
    snapshotter.create_snapshot(None, snapshot_id)
    [(backend, args)] = agents.named('create_snapshot')
    assert backend == BACKEND
    assert args['snapshot'] == {'id': snapshot_id, 'volume_id': volume['id'], 'volume_size': 2,
                                'provider_location': None}
    assert args['volume']['id'] == volume['id']
    # Another backend's report is ignored; the holder's is recorded once.
    assert not snapshotter.snapshot_done(snapshot_id, rpcapi.CREATE, 'node-2@file',
                                         {'provider_location': LOCATION}, None)
    assert snapshotter.snapshot_done(snapshot_id, rpcapi.CREATE, BACKEND,
                                     {'provider_location': LOCATION}, None)
    row = _row(env, snapshot_id)
    assert (row.status, row.provider_location, row.progress) == ('available', LOCATION, '100%')
    assert not snapshotter.snapshot_done(snapshot_id, rpcapi.CREATE, BACKEND, None, 'late')
    assert _row(env, snapshot_id).status == states.SNAPSHOT_AVAILABLE


def test_a_failed_create_ends_in_error(env, agents, snapshotter):
    volume = env.available_volume(host=VOLUME_HOST)
    snapshot_id = _snapshot(env, volume['id'])
    snapshotter.create_snapshot(None, snapshot_id)
    assert snapshotter.snapshot_done(snapshot_id, rpcapi.CREATE, BACKEND, None, 'disk full')
    assert _row(env, snapshot_id).status == states.SNAPSHOT_ERROR


def test_an_unreachable_agent_ends_the_create_in_error(env, agents, snapshotter):
    volume = env.available_volume(host=VOLUME_HOST)
    snapshot_id = _snapshot(env, volume['id'])
    agents.fail = True
    snapshotter.create_snapshot(None, snapshot_id)
    assert _row(env, snapshot_id).status == states.SNAPSHOT_ERROR


def test_a_repeated_create_message_is_not_cast_again(env, agents, snapshotter):
    volume = env.available_volume(host=VOLUME_HOST)
    snapshot_id = _snapshot(env, volume['id'])
    snapshotter.create_snapshot(None, snapshot_id)
    snapshotter.snapshot_done(snapshot_id, rpcapi.CREATE, BACKEND,
                              {'provider_location': LOCATION}, None)
    snapshotter.create_snapshot(None, snapshot_id)
    assert len(agents.named('create_snapshot')) == 1


def test_delete_ends_deleted_or_error_deleting(env, agents, snapshotter):
    volume = env.available_volume(host=VOLUME_HOST)
    gone, kept = (env.add_snapshot(volume['id'], provider_location=LOCATION) for _ in range(2))
    for snapshot_id in (gone, kept):
        assert env.api.delete(f'snapshots/{snapshot_id}').status_code == 202
        snapshotter.delete_snapshot(None, snapshot_id)
    assert [b for b, _ in agents.named('delete_snapshot')] == [BACKEND, BACKEND]
    assert snapshotter.snapshot_done(gone, rpcapi.DELETE, BACKEND, None, None)
    assert snapshotter.snapshot_done(kept, rpcapi.DELETE, BACKEND, None, 'busy')
    row = _row(env, gone)
    assert (row.status, row.deleted_at is not None) == (states.SNAPSHOT_DELETED, True)
    assert _row(env, kept).status == states.SNAPSHOT_ERROR_DELETING
    assert not snapshotter.snapshot_done(gone, rpcapi.DELETE, BACKEND, None, None)
    # The deleted snapshot no longer holds the volume back.
    assert env.api.get(f'snapshots/{gone}').status_code == 404


class FakeDriver:
    """The driver calls the agent makes, recorded; ``fail`` raises a DriverError."""

    def __init__(self):
        self.calls = []
        self.fail = None

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append((name, args + tuple(kwargs.values())))
            if self.fail:
                raise base.DriverError(self.fail)
            return {'provider_location': f'/loc/{name}', 'format': 'raw', 'size': 1,
                    'object_count': 3}
        return call


class Reports:
    def __init__(self):
        self.reports = []

    def snapshot_done(self, ctxt, *args, **kwargs):
        self.reports.append(('snapshot_done', args, kwargs))

    def backup_done(self, ctxt, *args, **kwargs):
        self.reports.append(('backup_done', args, kwargs))


def test_the_agent_runs_the_driver_and_reports():
    driver, reports = FakeDriver(), Reports()
    agent = copies.Copies(driver, reports, BACKEND)
    agent.create_snapshot(None, {'id': 's1'}, {'id': 'v1'})
    agent.restore_backup(None, {'id': 'b1'}, {'id': 'v2', 'size': 1}, create=True)
    driver.fail = 'no space left'
    agent.create_backup(None, {'id': 'b2'}, {'id': 'v1'})
    assert [c[0] for c in driver.calls] == ['create_snapshot', 'create_volume',
                                            'restore_backup', 'backup_volume']
    assert reports.reports == [
        ('snapshot_done', ('s1', rpcapi.CREATE, BACKEND),
         {'values': {'provider_location': '/loc/create_snapshot'}, 'error': None}),
        ('backup_done', ('b1', rpcapi.RESTORE, BACKEND),
         {'values': {'volume_id': 'v2', 'provider_location': '/loc/create_volume',
                     'format': 'raw'}, 'error': None}),
        ('backup_done', ('b2', rpcapi.CREATE, BACKEND),
         {'values': None, 'error': 'no space left'})]
    # The restore target is given the format the backend created it in.
    assert driver.calls[2][1][1] == {'id': 'v2', 'size': 1, 'format': 'raw'}
