"""The conductor's attach and detach, and a server delete giving its volumes back.

A real conductor and fake-driver agents (``Cloud``); the volume service is
``FakeBlockStorage`` behind the real ``VolumeClient``.  Each test plays the
API's part (reserve, mapping, instance action) and casts as the API does.
"""
import uuid as uuid_mod

import pytest
import sqlalchemy as sa

from common.context import RequestContext
from compute import states
from compute import volumes as volumes_mod
from compute.conductor import volume_attach
from compute.db import api as db_api
from compute.db import models as m
from tests.unit.compute.conductor.harness import wait_until
from tests.unit.compute.fake_block_storage import FakeBlockStorage


@pytest.fixture
def storage(cloud):
    store = FakeBlockStorage()
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=store.connect)
    return store


def _ctx():
    return RequestContext(request_id=f'req-{uuid_mod.uuid4()}', user_id='u1',
                          project_id='p1', roles=['member'])


def _attach(cloud, storage, uuid, volume_id, mountpoint='/dev/vdb',
            delete_on_termination=False):
    """What the API does: reserve, store the mapping (with the device it reserved),
    record the action, cast."""
    ctx = _ctx()
    attachment_id = cloud.deps.volumes.reserve(ctx, volume_id, uuid)
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(
            instance_uuid=uuid, source_type='volume', destination_type='volume',
            volume_id=volume_id, device_name=mountpoint, attachment_id=attachment_id,
            delete_on_termination=delete_on_termination))
        db_api.start_action(session, ctx, uuid, 'attach_volume')
    cloud.api.attach_volume(ctx, uuid, volume_id, mountpoint=mountpoint)
    return ctx


def _detach(cloud, uuid, volume_id):
    ctx = _ctx()
    with cloud.db.writer() as session:
        db_api.start_action(session, ctx, uuid, 'detach_volume')
    cloud.api.detach_volume(ctx, uuid, volume_id)
    return ctx


def _mappings(cloud, uuid):
    with cloud.db.reader() as session:
        return [(b.volume_id, b.device_name) for b in session.execute(
            sa.select(m.BlockDeviceMapping).where(
                m.BlockDeviceMapping.instance_uuid == uuid)).scalars()]


def _guest_volumes(cloud, uuid):
    host = cloud.server(uuid).host
    return dict(cloud.driver(host)._guests.get(uuid, {}).get('volumes', {}))


def _wait_event(cloud, ctx, uuid, event):
    return wait_until(lambda: next((r for e, r in cloud.events(ctx, uuid)
                                    if e == event and r), None))


def test_attach_connects_plugs_and_completes(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    ctx = _attach(cloud, storage, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT) == 'Success'
    assert storage.status(volume_id) == 'in-use'
    [attachment] = storage.attachments_of(volume_id)
    assert attachment['connector']['host'] == cloud.server(uuid).host
    assert attachment['connector']['initiator'] is None
    # As Nova's: the volume service shows the guest device as the attachment's.
    assert attachment['connector']['mountpoint'] == '/dev/vdb'
    assert _guest_volumes(cloud, uuid) == {volume_id: '/dev/vdb'}
    assert _mappings(cloud, uuid) == [(volume_id, '/dev/vdb')]


def test_agent_refusal_gives_the_volume_back(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    # The fake driver refuses /dev/vda: the root disk's.
    ctx = _attach(cloud, storage, uuid, volume_id, mountpoint='/dev/vda')
    assert _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT) == 'Error'
    assert storage.status(volume_id) == 'available'
    assert storage.attachments == {}
    assert _mappings(cloud, uuid) == []
    assert _guest_volumes(cloud, uuid) == {}
    assert cloud.server(uuid).vm_state == states.ACTIVE


def test_failed_completion_unplugs_and_gives_the_volume_back(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    storage.fail.add('complete_attachment')
    ctx = _attach(cloud, storage, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT) == 'Error'
    assert storage.status(volume_id) == 'available'
    assert _guest_volumes(cloud, uuid) == {}
    assert _mappings(cloud, uuid) == []


def test_failed_connect_gives_the_volume_back(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    storage.fail.add('update_attachment')
    ctx = _attach(cloud, storage, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT) == 'Error'
    assert storage.status(volume_id) == 'available'
    assert _mappings(cloud, uuid) == []


def test_detach_unplugs_and_releases(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    ctx = _attach(cloud, storage, uuid, volume_id)
    _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT)
    ctx = _detach(cloud, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.DETACH_EVENT) == 'Success'
    assert storage.status(volume_id) == 'available'
    assert _guest_volumes(cloud, uuid) == {}
    assert _mappings(cloud, uuid) == []


def test_failed_release_keeps_the_mapping_for_a_retry(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    ctx = _attach(cloud, storage, uuid, volume_id)
    _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT)
    storage.fail.add('delete_attachment')
    ctx = _detach(cloud, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.DETACH_EVENT) == 'Error'
    assert _mappings(cloud, uuid) == [(volume_id, '/dev/vdb')]
    storage.fail.clear()
    ctx = _detach(cloud, uuid, volume_id)
    assert _wait_event(cloud, ctx, uuid, volume_attach.DETACH_EVENT) == 'Success'
    assert storage.status(volume_id) == 'available'
    assert _mappings(cloud, uuid) == []


def test_delete_detaches_and_deletes_volumes_marked_so(cloud, storage):
    uuid = cloud.boot()
    kept = storage.add_volume('p1')
    dropped = storage.add_volume('p1')
    for volume_id, delete, device in ((kept, False, '/dev/vdb'), (dropped, True, '/dev/vdc')):
        ctx = _attach(cloud, storage, uuid, volume_id, mountpoint=device,
                      delete_on_termination=delete)
        _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT)
    assert storage.status(kept) == storage.status(dropped) == 'in-use'
    cloud.start_action(uuid, 'delete', states.DELETING)
    cloud.wait_for(uuid, vm_state=states.DELETED)
    assert storage.status(kept) == 'available'
    assert storage.status(dropped) is None
    assert storage.attachments == {}
    assert _mappings(cloud, uuid) == []


def test_volume_service_down_does_not_stop_a_delete(cloud, storage):
    uuid = cloud.boot()
    volume_id = storage.add_volume('p1')
    ctx = _attach(cloud, storage, uuid, volume_id)
    _wait_event(cloud, ctx, uuid, volume_attach.ATTACH_EVENT)
    storage.fail.add('delete_attachment')
    cloud.start_action(uuid, 'delete', states.DELETING)
    cloud.wait_for(uuid, vm_state=states.DELETED)
    assert _mappings(cloud, uuid) == []
