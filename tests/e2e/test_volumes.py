"""Volumes in real guests, with openstacksdk as user demo of the all-in-one.

Boot from volume (``block_device_mapping_v2``: image to a new volume, boot
index 0, deleted with the server): the guest's root disk is the volume
(its serial, seen from inside, read from the console where its user-data
script prints it; the domain's disk is the volume's file, and there is no
local root disk), and deleting the server deletes the volume and its file.
virtio-blk shows the guest at most 20 characters of a serial, as with Nova.

The attach/detach/reattach and snapshot-restore tests over SSH were taken
out (commit "e2e: two-guest volume tests out") until guests on demo's
network reliably get a DHCP lease when they run after the rest of the
e2e layer (in CI the second guest's DHCP requests went unanswered).
"""
import base64
import configparser
import os
import re
import time
import uuid
import xml.etree.ElementTree as ElementTree

import pytest

from tests.e2e.conftest import GUEST_IMAGE

BOOT_WAIT = 300  # seconds to ACTIVE, to SSH or to a console line: guests are emulated (TCG)
VOLUME_WAIT = 180  # seconds for a volume or snapshot to settle
VOLUME_CONF = '/etc/stratus/volume.conf'
SERIAL_LENGTH = 20  # what virtio-blk passes on to the guest


@pytest.fixture(scope='module')
def volume_conf():
    """The all-in-one's volume.conf, which names the volumes' directory."""
    conf = configparser.ConfigParser(interpolation=None)
    if not conf.read(VOLUME_CONF) or not conf.get('backend', 'volumes_dir', fallback=None):
        pytest.fail(f'{VOLUME_CONF} is missing or has no [backend] volumes_dir: the e2e tests '
                    f'run on the all-in-one machine, with the volume service', pytrace=False)
    return conf


@pytest.fixture(scope='module')
def block_storage(member, compute_conf, volume_conf):
    """The volume API of the catalog, checked to answer for user demo."""
    try:
        list(member.block_storage.volumes(limit=1))
    except Exception as exc:  # noqa: BLE001 - any reason is reported as it is
        pytest.fail(f'the volume API does not answer user demo through the catalog: '
                    f'{type(exc).__name__}: {exc} (devstack/stack.sh deploys it)', pytrace=False)
    return member.block_storage



ROOT_SERIAL_LINE = re.compile(r'^e2e-root-disk (\S+) (\S+)', re.MULTILINE)
ROOT_USER_DATA = ('#!/bin/sh\n'
                  'echo "e2e-root-disk $(cat /sys/block/vda/serial) '
                  '$(awk \'$2 == "/" { root = $1 } END { print root }\' /proc/mounts)"\n')


def _domain_disks(hypervisor, server_id):
    """``{target dev: source file}`` of the server's libvirt domain."""
    root = ElementTree.fromstring(hypervisor.virsh('dumpxml', server_id))
    return {disk.find('target').get('dev'): disk.find('source').get('file')
            for disk in root.iterfind('devices/disk') if disk.find('source') is not None}


def _wait_root_line(member, server):
    deadline = time.monotonic() + BOOT_WAIT
    while not (found := ROOT_SERIAL_LINE.findall(
            output := member.compute.get_server_console_output(server)['output'])):
        assert time.monotonic() < deadline, (
            f'no "e2e-root-disk" line in the console of {server.id} after {BOOT_WAIT} s:\n'
            + output[-3000:])
        time.sleep(2)
    return found[-1]


def test_boot_from_volume(member, block_storage, hypervisor, volume_conf):
    image = member.image.find_image(GUEST_IMAGE, ignore_missing=False)
    flavor = member.compute.find_flavor('m1.nano', ignore_missing=False)
    volumes_dir = volume_conf.get('backend', 'volumes_dir')
    server = member.compute.create_server(
        name=f'e2e-vol-bfv-{uuid.uuid4().hex[:6]}', flavor_id=flavor.id, networks='none',
        config_drive=True, user_data=base64.b64encode(ROOT_USER_DATA.encode()).decode(),
        block_device_mapping=[{'boot_index': 0, 'uuid': image.id, 'source_type': 'image',
                               'destination_type': 'volume', 'volume_size': 1,
                               'delete_on_termination': True}])
    volume_id = None
    try:
        server = member.compute.wait_for_server(server, wait=BOOT_WAIT)
        [attachment] = list(member.compute.volume_attachments(server))
        volume_id = attachment.volume_id
        assert attachment.device == '/dev/vda'
        volume = block_storage.get_volume(volume_id)
        assert volume.status == 'in-use' and volume.is_bootable and volume.size == 1
        assert (volume.volume_image_metadata or {}).get('image_id') == image.id
        [attached] = volume.attachments
        assert attached['server_id'] == server.id

        serial, root_device = _wait_root_line(member, server)
        assert serial == volume_id[:SERIAL_LENGTH] and root_device == '/dev/vda'
        volume_file = os.path.join(volumes_dir, f'volume-{volume_id}')
        disks = _domain_disks(hypervisor, server.id)
        assert os.path.realpath(disks['vda']) == os.path.realpath(volume_file), disks
        local_root = os.path.join(hypervisor.instances_path, server.id, 'disk')
        assert not os.path.exists(local_root), f'{local_root}: a local root disk as well'

        member.compute.delete_server(server)
        member.compute.wait_for_delete(server, wait=BOOT_WAIT)
        server = None
        deadline = time.monotonic() + VOLUME_WAIT
        while (left := block_storage.find_volume(volume_id, ignore_missing=True)) is not None:
            assert left.status not in ('error', 'error_deleting'), left.status
            assert time.monotonic() < deadline, (
                f'volume {volume_id} ({left.status}) still there {VOLUME_WAIT} s after the '
                f'server it was marked delete_on_termination for was deleted')
            time.sleep(1)
        assert not os.path.exists(volume_file)
        volume_id = None
    finally:
        if server is not None:
            member.compute.delete_server(server, ignore_missing=True)
            member.compute.wait_for_delete(server, wait=BOOT_WAIT)
        if volume_id is not None:
            left = block_storage.find_volume(volume_id, ignore_missing=True)
            if left is not None and left.status in ('available', 'error'):
                block_storage.delete_volume(left)
