"""What createImage asks the image service for: the properties of a snapshot.

A server booted from a kernel/ramdisk image (as the libvirt guest image
is) must give snapshots that boot the same way, so the image's properties
are inherited, as Nova does; the caller's metadata may add properties but
neither set Glance's core attributes nor say what the image is.
"""
import datetime

import sqlalchemy as sa

from compute import states
from compute.db import models as m
from tests.unit.compute.api import server_fakes as fakes

KERNEL = 'a7c3d3ee-6b4d-4e5f-9b1f-1f0b1a7c0001'
RAMDISK = 'a7c3d3ee-6b4d-4e5f-9b1f-1f0b1a7c0002'
BOOT_PROPERTIES = {'kernel_id': KERNEL, 'ramdisk_id': RAMDISK,
                   'os_command_line': 'console=ttyS0 root=/dev/vda', 'hw_disk_bus': 'virtio',
                   'img_signature': 'not for copies', 'os_glance_importing_to_stores': 'x'}


def _booted_server(env):
    """A server created through the API from a kernel/ramdisk image, then built."""
    fakes.prepare(env)
    images = env.app.images.images
    images[fakes.IMAGE_ID]['properties'] = dict(BOOT_PROPERTIES)
    for part, kind in ((KERNEL, 'aki'), (RAMDISK, 'ari')):  # the user may read them
        images[part] = env.app.images.image(part, disk_format=kind, container_format=kind)
    response = env.api.post('/v2.1/servers', fakes.server_body(), version='2.60')
    assert response.status_code == 202, response.json
    uuid = response.json['server']['id']
    with env.db.writer() as session:  # as the conductor leaves it
        session.execute(sa.update(m.Instance).where(m.Instance.uuid == uuid).values(
            vm_state=states.ACTIVE, task_state=None, host='host1',
            launched_at=datetime.datetime(2026, 1, 1)))
    return uuid


def _snapshot(env, uuid, metadata):
    response = env.api.post(f'/v2.1/servers/{uuid}/action',
                            {'createImage': {'name': 'snap', 'metadata': metadata}},
                            version='2.45')
    assert response.status_code == 202, response.json
    (snapshot,) = env.app.images.snapshots
    return snapshot['properties']


def test_a_snapshot_keeps_what_its_server_booted_with(env):
    uuid = _booted_server(env)
    properties = _snapshot(env, uuid, {'purpose': 'backup'})
    assert properties == {
        'kernel_id': KERNEL, 'ramdisk_id': RAMDISK,
        'os_command_line': 'console=ttyS0 root=/dev/vda', 'hw_disk_bus': 'virtio',
        'purpose': 'backup', 'instance_uuid': uuid, 'user_id': 'user-member',
        'image_type': 'snapshot', 'base_image_ref': fakes.IMAGE_ID}


def test_metadata_sets_neither_core_attributes_nor_what_the_image_is(env):
    uuid = _booted_server(env)
    properties = _snapshot(env, uuid, {
        'visibility': 'community', 'disk_format': 'raw', 'min_disk': '40', 'owner': 'me',
        'instance_uuid': 'x', 'image_type': 'image', 'user_id': 'someone',
        'base_image_ref': 'y', 'kernel_id': 'mine'})
    assert not {'visibility', 'disk_format', 'min_disk', 'owner'} & set(properties)
    assert (properties['instance_uuid'], properties['image_type'], properties['user_id'],
            properties['base_image_ref']) == (uuid, 'snapshot', 'user-member', fakes.IMAGE_ID)
    assert properties['kernel_id'] == 'mine'  # a free property: the caller's choice
