"""Servers with volumes through rebuild, resize, stop/start and reboot: the guest is built
again with the ``connection_info`` the mappings keep, and never ends in ERROR for lack of it.

A real conductor and fake-driver agents (``Cloud``): like the libvirt driver,
the fake refuses a volume without ``connection_info``.  The volume service
is ``FakeBlockStorage`` behind the real ``VolumeClient``.
"""
import json
import uuid as uuid_mod

import pytest
import sqlalchemy as sa

from common.context import RequestContext
from compute import states
from compute import volumes as volumes_mod
from compute.conductor import delete as delete_mod
from compute.db import api as db_api
from compute.db import models as m
from tests.unit.compute.conductor.harness import BIG, IMAGE, wait_until
from tests.unit.compute.fake_block_storage import FakeBlockStorage


@pytest.fixture
def storage(cloud):
    store = FakeBlockStorage()
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=store.connect)
    return store


def _ctx():
    return RequestContext(request_id=f'req-{uuid_mod.uuid4()}', user_id='u1',
                          project_id='p1', roles=['member'])


def _boot_from_volume(cloud, storage):
    volume_id = storage.add_volume('p1')
    uuid, ctx = cloud.create_server(image='')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='volume',
                                         destination_type='volume', boot_index=0,
                                         volume_id=volume_id))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)
    return uuid, volume_id


def _attach(cloud, storage, uuid):
    """An attach as the API starts it, waited for."""
    volume_id = storage.add_volume('p1')
    ctx = _ctx()
    attachment_id = cloud.deps.volumes.reserve(ctx, volume_id, uuid)
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(
            instance_uuid=uuid, source_type='volume', destination_type='volume',
            volume_id=volume_id, device_name='/dev/vdb', attachment_id=attachment_id))
        db_api.start_action(session, ctx, uuid, 'attach_volume')
    cloud.api.attach_volume(ctx, uuid, volume_id)
    wait_until(lambda: storage.status(volume_id) == 'in-use')
    wait_until(lambda: ('compute_attach_volume', 'Success') in cloud.events(ctx, uuid))
    return volume_id


def _connection_infos(cloud, uuid):
    with cloud.db.reader() as session:
        return {b.volume_id: json.loads(b.connection_info) if b.connection_info else None
                for b in session.execute(sa.select(m.BlockDeviceMapping).where(
                    m.BlockDeviceMapping.instance_uuid == uuid)).scalars()}


def _guest_volumes(cloud, uuid):
    row = cloud.server(uuid)
    return dict(cloud.driver(row.host)._guests[uuid].get('volumes', {}))


def _expected_info(volume_id):
    return {'driver_volume_type': 'file',
            'data': {'device_path': f'/srv/volumes/volume-{volume_id}', 'format': 'raw'}}


def test_the_mappings_keep_the_connection_info_of_built_and_attached_volumes(cloud, storage):
    uuid, root = _boot_from_volume(cloud, storage)
    data = _attach(cloud, storage, uuid)
    assert _connection_infos(cloud, uuid) == {root: _expected_info(root),
                                              data: _expected_info(data)}
    assert _guest_volumes(cloud, uuid) == {root: '/dev/vda', data: '/dev/vdb'}


def test_rebuild_of_a_volume_backed_server_with_a_volume_attached(cloud, storage):
    uuid, root = _boot_from_volume(cloud, storage)
    data = _attach(cloud, storage, uuid)
    ctx = cloud.start_action(uuid, 'rebuild', states.REBUILDING, params={'image_ref': ''})
    row = cloud.wait_for(uuid, task_state=None)
    assert (row.vm_state, cloud.fault(uuid)) == (states.ACTIVE, None)
    assert cloud.events(ctx, uuid) == [('compute_rebuild_instance', 'Success')]
    assert _guest_volumes(cloud, uuid) == {root: '/dev/vda', data: '/dev/vdb'}
    assert storage.status(root) == storage.status(data) == 'in-use'


def test_rebuild_of_an_image_server_keeps_its_attached_volume(cloud, storage):
    uuid = cloud.boot()
    data = _attach(cloud, storage, uuid)
    cloud.start_action(uuid, 'rebuild', states.REBUILDING,
                       params={'image_ref': cloud.server(uuid).image_ref})
    row = cloud.wait_for(uuid, task_state=None)
    assert (row.vm_state, cloud.fault(uuid)) == (states.ACTIVE, None)
    assert _guest_volumes(cloud, uuid) == {data: '/dev/vdb'}


@pytest.mark.parametrize('end, task, vm_state', [
    ('confirm_resize', states.RESIZE_CONFIRMING, states.ACTIVE),
    ('revert_resize', states.RESIZE_REVERTING, states.ACTIVE)])
def test_resize_of_a_server_with_volumes_stays_on_its_host(cloud, storage, end, task,
                                                           vm_state):
    uuid, root = _boot_from_volume(cloud, storage)
    data = _attach(cloud, storage, uuid)
    source = cloud.server(uuid).host
    cloud.start_action(uuid, 'resize', states.RESIZE_PREP, params={'flavor': BIG})
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.RESIZED)
    assert (row.host, row.migration_host) == (source, source)  # two hosts, yet not moved
    assert _guest_volumes(cloud, uuid) == {root: '/dev/vda', data: '/dev/vdb'}
    cloud.start_action(uuid, end, task)
    row = cloud.wait_for(uuid, task_state=None, vm_state=vm_state)
    assert (row.host, cloud.fault(uuid)) == (source, None)
    assert _guest_volumes(cloud, uuid) == {root: '/dev/vda', data: '/dev/vdb'}
    assert cloud.allocations(uuid) == [(uuid, source)]


def test_stop_start_and_hard_reboot_keep_the_volumes(cloud, storage):
    uuid, root = _boot_from_volume(cloud, storage)
    data = _attach(cloud, storage, uuid)
    for action, task, vm_state in (('stop', states.POWERING_OFF, states.STOPPED),
                                   ('start', states.POWERING_ON, states.ACTIVE),
                                   ('reboot', states.REBOOTING_HARD, states.ACTIVE)):
        cloud.start_action(uuid, action, task, params={'type': 'HARD'})
        cloud.wait_for(uuid, task_state=None, vm_state=vm_state)
    assert cloud.fault(uuid) is None
    assert _guest_volumes(cloud, uuid) == {root: '/dev/vda', data: '/dev/vdb'}


def test_a_failed_build_forgets_the_connection_info_with_the_attachment(make_cloud):
    cloud = make_cloud(hosts=1, fake_driver__fail_spawn_hosts=['node'])
    store = FakeBlockStorage()
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=store.connect)
    volume_id = store.add_volume('p1')
    uuid, ctx = cloud.create_server(image='')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='volume',
                                         destination_type='volume', boot_index=0,
                                         volume_id=volume_id))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert _connection_infos(cloud, uuid) == {volume_id: None}


def test_boot_from_a_snapshot_makes_the_volume_from_it(cloud, storage):
    snapshot_id = storage.add_snapshot('p1', size=2)
    uuid, ctx = cloud.create_server(image='')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='snapshot',
                                         destination_type='volume', boot_index=0,
                                         snapshot_id=snapshot_id, volume_size=2,
                                         delete_on_termination=True))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)
    [volume_id] = _connection_infos(cloud, uuid)
    assert storage.volumes[volume_id]['snapshot_id'] == snapshot_id
    assert storage.volumes[volume_id]['size'] == 2


def test_a_delete_while_the_volumes_are_made_leaks_none_of_them(cloud, storage):
    """The delete reads the mappings before the build records the volume it made and
    the attachment it reserves: the build gives them back itself, and spawns nothing."""
    uuid, ctx = cloud.create_server(image='')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='image',
                                         destination_type='volume', boot_index=0,
                                         image_id=IMAGE, volume_size=1,
                                         delete_on_termination=True))

    def connect(conf, request_ctx):
        connection = storage.connect(conf, request_ctx)
        create = connection.block_storage.create_volume

        def create_volume(*args, **kwargs):
            volume = create(*args, **kwargs)
            delete_ctx = _ctx()  # the user deletes the server now
            with cloud.db.writer() as session:
                db_api.transition(session, uuid, task_states=db_api.ANY,
                                  task_state=states.DELETING)
                db_api.start_action(session, delete_ctx, uuid, 'delete')
            delete_mod.delete(cloud.deps, delete_ctx, uuid)
            return volume
        connection.block_storage.create_volume = create_volume
        return connection
    cloud.deps.volumes = volumes_mod.VolumeClient(cloud.conf, connect=connect)
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.DELETED)
    wait_until(lambda: storage.volumes == {} and storage.attachments == {})
    assert ('create_attachment', 'p1') in storage.calls  # it was reserved, then given back
    assert all(uuid not in cloud.driver(host).list_instances() for host in cloud.host_names)
