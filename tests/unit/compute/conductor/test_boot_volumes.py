"""Building a server from a volume: volumes made, reserved, connected, completed, given back.

A real conductor and fake-driver agents (``Cloud``); the volume service is
``FakeBlockStorage`` behind the real ``VolumeClient``.
"""
import sqlalchemy as sa

from compute import states
from compute import volumes as volumes_mod
from compute.db import models as m
from tests.unit.compute.conductor.harness import IMAGE
from tests.unit.compute.fake_block_storage import FakeBlockStorage


def _with_storage(cloud):
    store = FakeBlockStorage()
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=store.connect)
    return store


def _create(cloud, *mappings):
    """A volume-backed server as the API stores it: no image, its mappings."""
    uuid, ctx = cloud.create_server(image='')
    with cloud.db.writer() as session:
        for mapping in mappings:
            session.add(m.BlockDeviceMapping(instance_uuid=uuid, destination_type='volume',
                                             **mapping))
    return uuid, ctx


def _mappings(cloud, uuid):
    with cloud.db.reader() as session:
        return [(b.source_type, b.volume_id, b.attachment_id) for b in session.execute(
            sa.select(m.BlockDeviceMapping).where(
                m.BlockDeviceMapping.instance_uuid == uuid)
            .order_by(m.BlockDeviceMapping.id)).scalars()]


def test_boot_from_an_existing_volume(cloud):
    storage = _with_storage(cloud)
    volume_id = storage.add_volume('p1', size=1)
    uuid, ctx = _create(cloud, dict(source_type='volume', boot_index=0, volume_id=volume_id))
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert storage.status(volume_id) == 'in-use'
    [attachment] = storage.attachments_of(volume_id)
    assert attachment['instance'] == uuid and attachment['connector']['host'] == row.host
    assert _mappings(cloud, uuid) == [('volume', volume_id, attachment['id'])]
    with cloud.db.reader() as session:
        assert session.execute(sa.select(m.BlockDeviceMapping.device_name)).scalar_one() == \
            '/dev/vda'


def test_boot_from_an_image_copied_to_a_new_volume(cloud):
    storage = _with_storage(cloud)
    uuid, ctx = _create(cloud, dict(source_type='image', boot_index=0, image_id=IMAGE,
                                    volume_size=2, delete_on_termination=True))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)
    [(source, volume_id, attachment_id)] = _mappings(cloud, uuid)
    assert storage.volumes[volume_id]['image_id'] == IMAGE
    assert storage.volumes[volume_id]['size'] == 2
    assert storage.status(volume_id) == 'in-use'
    cloud.start_action(uuid, 'delete', states.DELETING)
    cloud.wait_for(uuid, vm_state=states.DELETED)
    assert storage.status(volume_id) is None


def test_a_volume_the_service_refuses_fails_the_build_without_a_retry(cloud):
    storage = _with_storage(cloud)
    busy = storage.add_volume('p1', status='in-use')
    uuid, ctx = _create(cloud, dict(source_type='volume', boot_index=0, volume_id=busy))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert 'Failed to prepare the volume(s): Invalid volume:' in cloud.fault(uuid).message
    assert storage.status(busy) == 'in-use'
    assert storage.attachments == {}
    assert cloud.allocations(uuid) == []


def test_a_failed_spawn_gives_the_attachments_back(make_cloud):
    cloud = make_cloud(hosts=1, fake_driver__fail_spawn_hosts=['node'])
    storage = _with_storage(cloud)
    volume_id = storage.add_volume('p1')
    uuid, ctx = _create(cloud, dict(source_type='volume', boot_index=0, volume_id=volume_id))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert storage.status(volume_id) == 'available'
    assert storage.attachments == {}
    assert _mappings(cloud, uuid) == [('volume', volume_id, None)]


def test_a_failed_completion_does_not_leave_the_server_active(make_cloud):
    cloud = make_cloud(hosts=1)
    storage = _with_storage(cloud)
    storage.fail.add('complete_attachment')
    volume_id = storage.add_volume('p1')
    uuid, ctx = _create(cloud, dict(source_type='volume', boot_index=0, volume_id=volume_id))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert storage.status(volume_id) == 'available'
    assert storage.attachments == {}


def test_a_failed_build_deletes_the_volumes_marked_so(make_cloud):
    cloud = make_cloud(hosts=1, fake_driver__fail_spawn_hosts=['node'])
    storage = _with_storage(cloud)
    uuid, ctx = _create(cloud, dict(source_type='image', boot_index=0, image_id=IMAGE,
                                    volume_size=1, delete_on_termination=True))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    [(_source, volume_id, attachment_id)] = _mappings(cloud, uuid)
    assert attachment_id is None and storage.status(volume_id) is None
