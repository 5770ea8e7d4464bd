"""Create, delete and extend as the conductor drives them: conditional transitions, the
casts to the backend's agent, and the agents' reports of how each ended."""
import pytest

from volume import rpcapi
from volume import states
from volume.conductor import orchestration
from volume.db import models as m
from tests.unit.volume.conductor.helpers import RecordingAgents, created, report_backend

BACKEND = 'node-1@file'
LOCATION = '/var/lib/stratus/volumes/volume-x'


@pytest.fixture
def agents():
    return RecordingAgents()


@pytest.fixture
def orchestrator(env, agents):
    return orchestration.Orchestrator(env.conf, env.db, agents)


def make_available(env, orchestrator, agents, **attrs):
    report_backend(env, BACKEND)
    volume, spec = created(env, **attrs)
    orchestrator.create_volume(None, volume['id'], spec)
    assert orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND,
                                    {'provider_location': LOCATION, 'format': 'raw'}, None)
    agents.calls.clear()
    return volume


def test_a_create_is_scheduled_cast_and_ends_available(env, orchestrator, agents):
    report_backend(env, BACKEND)
    volume, spec = created(env, size=2)
    orchestrator.create_volume(None, volume['id'], spec)
    row = env.volume_row(volume['id'])
    assert (row.status, row.host) == (states.CREATING, 'node-1@file#file')
    assert agents.calls == [('create_volume', BACKEND, {
        'volume': {'id': volume['id'], 'size': 2, 'provider_location': None},
        'snapshot': None, 'source_volume': None})]
    assert orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND,
                                    {'provider_location': LOCATION, 'format': 'qcow2'}, None)
    row = env.volume_row(volume['id'])
    assert (row.status, row.provider_location, row.format) == (states.AVAILABLE, LOCATION,
                                                               'qcow2')
    assert row.launched_at is not None
    shown = env.api.get(f"volumes/{volume['id']}").get_json()['volume']
    assert shown['status'] == 'available'
    # A repeated report changes nothing.
    assert not orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND,
                                        None, 'disk full')
    assert env.volume_row(volume['id']).status == states.AVAILABLE


def test_without_a_backend_the_volume_ends_in_error(env, orchestrator, agents):
    volume, spec = created(env)
    orchestrator.create_volume(None, volume['id'], spec)
    row = env.volume_row(volume['id'])
    assert (row.status, row.host) == (states.ERROR, None)
    assert agents.calls == []


def test_a_volume_deleted_before_scheduling_is_left_alone(env, orchestrator, agents):
    report_backend(env, BACKEND)
    volume, spec = created(env)
    assert env.api.delete(f"volumes/{volume['id']}").status_code == 202
    orchestrator.create_volume(None, volume['id'], spec)
    row = env.volume_row(volume['id'])
    assert (row.status, row.host) == (states.DELETED, None)
    assert agents.calls == []


def test_a_cast_that_cannot_be_sent_ends_the_create_in_error(env, orchestrator, agents):
    report_backend(env, BACKEND)
    volume, spec = created(env)
    agents.fail = True
    orchestrator.create_volume(None, volume['id'], spec)
    assert env.volume_row(volume['id']).status == states.ERROR


def test_a_failed_create_ends_in_error(env, orchestrator, agents):
    report_backend(env, BACKEND)
    volume, spec = created(env)
    orchestrator.create_volume(None, volume['id'], spec)
    assert orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND, None, 'disk full')
    assert env.volume_row(volume['id']).status == states.ERROR


def test_a_report_from_another_backend_is_ignored(env, orchestrator, agents):
    report_backend(env, BACKEND)
    volume, spec = created(env)
    orchestrator.create_volume(None, volume['id'], spec)
    assert not orchestrator.volume_done(volume['id'], rpcapi.CREATE, 'node-2@file',
                                        {'provider_location': LOCATION, 'format': 'raw'}, None)
    assert env.volume_row(volume['id']).status == states.CREATING


def test_a_volume_from_a_snapshot_is_made_from_it_on_its_backend(env, orchestrator, agents):
    source = make_available(env, orchestrator, agents)
    report_backend(env, 'node-2@file', free=1000)
    snapshot_id = env.add_snapshot(source['id'], provider_location='/snap')
    volume, spec = created(env, snapshot_id=snapshot_id)
    assert spec['backend_host'] == BACKEND
    orchestrator.create_volume(None, volume['id'], spec)
    [(method, backend, kwargs)] = agents.calls
    assert (method, backend) == ('create_volume', BACKEND)
    assert kwargs['snapshot'] == {'id': snapshot_id, 'volume_id': source['id'],
                                  'volume_size': 1, 'provider_location': '/snap'}


def test_a_delete_is_cast_and_ends_deleted(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    assert env.api.delete(f"volumes/{volume['id']}").status_code == 202
    orchestrator.delete_volume(None, volume['id'], False)
    assert agents.calls == [('delete_volume', BACKEND, {
        'volume': {'id': volume['id'], 'size': 1, 'provider_location': LOCATION,
                   'format': 'raw'}, 'snapshots': []})]
    assert orchestrator.volume_done(volume['id'], rpcapi.DELETE, BACKEND, None, None)
    row = env.volume_row(volume['id'])
    assert row.status == states.DELETED and row.deleted_at is not None
    assert env.api.get(f"volumes/{volume['id']}").status_code == 404


def test_a_failed_delete_ends_in_error_deleting(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    env.api.delete(f"volumes/{volume['id']}")
    orchestrator.delete_volume(None, volume['id'], False)
    assert orchestrator.volume_done(volume['id'], rpcapi.DELETE, BACKEND, None, 'busy')
    row = env.volume_row(volume['id'])
    assert (row.status, row.deleted_at) == (states.ERROR_DELETING, None)


def test_a_cascade_removes_the_snapshots_with_the_volume(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    snapshot_id = env.add_snapshot(volume['id'])
    assert env.api.delete(f"volumes/{volume['id']}?cascade=true").status_code == 202
    orchestrator.delete_volume(None, volume['id'], True)
    [(_, _, kwargs)] = agents.calls
    assert [s['id'] for s in kwargs['snapshots']] == [snapshot_id]
    orchestrator.volume_done(volume['id'], rpcapi.DELETE, BACKEND, None, None)
    with env.db.reader() as session:
        snapshot = session.get(m.Snapshot, snapshot_id)
        assert snapshot.status == states.SNAPSHOT_DELETED and snapshot.deleted_at is not None


def test_an_extend_ends_with_the_new_size_back_in_its_status(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    assert env.api.action(volume['id'], 'os-extend', {'new_size': 3}).status_code == 202
    orchestrator.extend_volume(None, volume['id'], 3)
    [(method, backend, kwargs)] = agents.calls
    assert (method, backend, kwargs['new_size']) == ('extend_volume', BACKEND, 3)
    assert orchestrator.volume_done(volume['id'], rpcapi.EXTEND, BACKEND, {'size': 3}, None)
    row = env.volume_row(volume['id'])
    assert (row.status, row.size, row.requested_size, row.previous_status) == (
        states.AVAILABLE, 3, None, None)


def test_a_failed_extend_keeps_the_size_and_ends_in_error_extending(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    env.api.action(volume['id'], 'os-extend', {'new_size': 3})
    orchestrator.extend_volume(None, volume['id'], 3)
    assert orchestrator.volume_done(volume['id'], rpcapi.EXTEND, BACKEND, None, 'no room')
    row = env.volume_row(volume['id'])
    assert (row.status, row.size, row.requested_size) == (states.ERROR_EXTENDING, 1, None)


def test_an_extend_that_cannot_be_cast_ends_in_error_extending(env, orchestrator, agents):
    volume = make_available(env, orchestrator, agents)
    env.api.action(volume['id'], 'os-extend', {'new_size': 3})
    agents.fail = True
    orchestrator.extend_volume(None, volume['id'], 3)
    row = env.volume_row(volume['id'])
    assert (row.status, row.size, row.requested_size) == (states.ERROR_EXTENDING, 1, None)


def test_a_volume_whose_source_is_gone_ends_in_error(env, orchestrator, agents):
    source = make_available(env, orchestrator, agents)
    volume, spec = created(env, source_volid=source['id'])
    env.update_volume(source['id'], status=states.DELETED, deleted_at=env.volume_row(
        source['id']).created_at)
    orchestrator.create_volume(None, volume['id'], spec)
    assert env.volume_row(volume['id']).status == states.ERROR
    assert agents.calls == []
