"""``volume-extended``: the conductor has the agent show a running guest the new size.

A real conductor and fake-driver agents (``Cloud``); the volume is
attached as in ``test_volume_attach``, then the test plays the volume
service's part and casts the event as the API does.
"""
import pytest
import sqlalchemy as sa

from compute import states
from compute import volumes as volumes_mod
from compute.conductor import volume_attach
from compute.conductor import volume_events
from compute.db import models as m
from tests.unit.compute.conductor.harness import wait_until
from tests.unit.compute.conductor.test_volume_attach import _attach
from tests.unit.compute.conductor.test_volume_attach import _wait_event
from tests.unit.compute.fake_block_storage import FakeBlockStorage

@pytest.fixture
def storage(cloud):
    store = FakeBlockStorage()
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=store.connect)
    return store


def _extended(uuid, volume_id, status='completed'):
    return {'server_uuid': uuid, 'name': volume_events.VOLUME_EXTENDED, 'status': status,
            'tag': volume_id}


def _attached(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1', size=1)
    ctx = _attach(cloud, storage, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT) == 'Success'
    return uuid, volume_id


def _extend_events(cloud, uuid):
    """``[(event, result)]`` of the server's ``extend_volume`` actions."""
    with cloud.db.reader() as session:
        return [tuple(r) for r in session.execute(
            sa.select(m.InstanceActionEvent.event, m.InstanceActionEvent.result)
            .join(m.InstanceAction, m.InstanceAction.id == m.InstanceActionEvent.action_id)
            .where(m.InstanceAction.instance_uuid == uuid,
                   m.InstanceAction.action == volume_events.ACTION)).all()]


def _finished(cloud, uuid):
    return wait_until(lambda: next((r for e, r in _extend_events(cloud, uuid) if r), None))


def _extended_in_guest(cloud, uuid):
    """``{volume id: count}`` of the extends the fake driver was asked for."""
    host = cloud.server(uuid).host
    return dict(cloud.driver(host)._guests[uuid].get('extended', {}))


def test_running_guest_is_shown_the_new_size(cloud, storage):
    uuid, volume_id = _attached(cloud, storage)
    cloud.api.external_instance_event(None, [_extended(uuid, volume_id)])
    assert _finished(cloud, uuid) == 'Success'
    assert _extend_events(cloud, uuid) == [(volume_events.EVENT, 'Success')]
    assert _extended_in_guest(cloud, uuid) == {volume_id: 1}


def test_stopped_guest_needs_nothing(cloud, storage):
    uuid, volume_id = _attached(cloud, storage)
    cloud.start_action(uuid, 'stop', states.POWERING_OFF)
    cloud.wait_for(uuid, vm_state=states.STOPPED, task_state=None)
    cloud.api.external_instance_event(None, [_extended(uuid, volume_id)])
    assert _finished(cloud, uuid) == 'Success'
    assert _extended_in_guest(cloud, uuid) == {}


def test_a_failure_is_recorded_not_the_servers_fault(cloud, storage):
    uuid, volume_id = _attached(cloud, storage)
    host = cloud.server(uuid).host
    cloud.driver(host)._guests[uuid]['volumes'].pop(volume_id)  # the guest lost the disk
    cloud.api.external_instance_event(None, [_extended(uuid, volume_id)])
    assert _finished(cloud, uuid) == 'Error'
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state) == (states.ACTIVE, None)
    assert cloud.fault(uuid) is None


def test_volume_not_attached_to_the_server_is_ignored(cloud, storage, caplog):
    uuid, volume_id = _attached(cloud, storage)
    other = storage.add_volume('p1')
    with caplog.at_level('INFO', logger='compute.conductor.volume_events'):
        cloud.api.external_instance_event(None, [_extended(uuid, other),
                                                 _extended(uuid, volume_id, 'failed')])
        wait_until(lambda: 'is not attached to server' in caplog.text)
    assert _extend_events(cloud, uuid) == []
    assert _extended_in_guest(cloud, uuid) == {}
