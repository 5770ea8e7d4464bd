"""Volumes in real guests, with openstacksdk as user demo of the all-in-one.

* A 1 GiB volume hot-plugged into a running guest (``os-volume_attachments``)
  appears there as ``/dev/vdb`` with the volume's id as its serial; the guest
  makes a file system on it and writes a marker file; the volume is
  detached, attached to a second guest, which reads the marker back.
* Snapshot and restore: a snapshot taken after a first marker, then the
  volume overwritten with a second one; a volume made from the snapshot
  holds the first, the volume itself the second.
* Boot from volume (``block_device_mapping_v2``: image to a new volume,
  boot index 0, deleted with the server): the guest's root disk is the
  volume (its serial, seen from inside; the domain's disk is the volume's
  file, and there is no local root disk), and deleting the server deletes
  the volume and its file.

The first two run their commands in the guests over SSH (demo's network
``private`` behind ``router1``, a floating IP of ``public``: the SSH key
comes from the metadata service); the third reads the console, where its
user-data script prints the root disk's serial.  virtio-blk shows the
guest at most 20 characters of a serial, as with Nova.
"""
import base64
import configparser
import os
import re
import shlex
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ElementTree

import pytest

from tests.e2e.conftest import GUEST_IMAGE

BOOT_WAIT = 300  # seconds to ACTIVE, to SSH or to a console line: guests are emulated (TCG)
VOLUME_WAIT = 180  # seconds for a volume or snapshot to settle
DISK_WAIT = 60  # seconds for a guest to see a disk come or go after the API says so
VOLUME_CONF = '/etc/stratus/volume.conf'
GIB = 1024 ** 3
SERIAL_LENGTH = 20  # what virtio-blk passes on to the guest
SSH_OPTIONS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR']


class Guest:
    """A server of the test reachable as root over SSH at its floating IP."""

    def __init__(self, conn, server, key_file, address):
        self.conn = conn
        self.server = server
        self.key_file = key_file
        self.address = address

    def console(self):
        return self.conn.compute.get_server_console_output(self.server)['output']

    def ssh(self, command, timeout=120):
        return subprocess.run(['ssh', *SSH_OPTIONS, '-i', self.key_file,
                               f'root@{self.address}', command],
                              capture_output=True, text=True, timeout=timeout)

    def run(self, command, timeout=120):
        """``command``'s output; it must succeed."""
        result = self.ssh(command, timeout)
        assert result.returncode == 0, (
            f'{self.server.name}: {command!r} exited {result.returncode}: '
            f'{result.stderr.strip()} {result.stdout.strip()}\n'
            f'console:\n{self.console()[-2000:]}')
        return result.stdout

    def wait_ssh(self):
        deadline = time.monotonic() + BOOT_WAIT
        while (result := self.ssh('true', timeout=30)).returncode != 0:
            assert time.monotonic() < deadline, (
                f'no SSH login to {self.server.name} at {self.address} after {BOOT_WAIT} s: '
                f'{result.stderr.strip()}\nconsole:\n{self.console()[-3000:]}')
            time.sleep(3)

    def disk_of(self, volume_id):
        """The guest's name (``vdb`` …) of the disk whose serial is the volume's id."""
        return self.run(_find_disk_script(volume_id, present=True),
                        timeout=DISK_WAIT + 30).strip()

    def wait_disk_gone(self, volume_id):
        self.run(_find_disk_script(volume_id, present=False), timeout=DISK_WAIT + 30)


def _find_disk_script(volume_id, present):
    """A guest shell script that waits until a disk with the volume's serial is
    there (and prints its name) or is gone."""
    serial = volume_id[:SERIAL_LENGTH]
    done = '[ -n "$found" ]' if present else '[ -z "$found" ]'
    failure = (f'no disk with serial {serial} after {DISK_WAIT} s; disks: $(ls /sys/block)'
               if present else f'disk $found (serial {serial}) still there after {DISK_WAIT} s')
    return f'''
n=0
while :; do
    found=
    for d in /sys/block/vd*; do
        [ "$(cat "$d/serial" 2>/dev/null)" = "{serial}" ] && found=${{d##*/}}
    done
    if {done}; then echo "$found"; exit 0; fi
    [ $n -ge {DISK_WAIT * 5} ] && {{ echo "{failure}" >&2; exit 1; }}
    n=$((n + 1))
    usleep 200000
done'''


def _write_marker_script(disk, marker, make_file_system):
    """Put ``marker`` in the file ``marker`` of the disk's file system (made first if asked),
    flushed to the disk and unmounted, so that the disk can be unplugged."""
    mkfs = f'mke2fs -F /dev/{disk} >/dev/null; ' if make_file_system else ''
    return (f'set -e; {mkfs}mkdir -p /mnt/{disk}; mount /dev/{disk} /mnt/{disk}; '
            f'echo {shlex.quote(marker)} > /mnt/{disk}/marker; sync; umount /mnt/{disk}')


def _read_marker_script(disk):
    return (f'set -e; mkdir -p /mnt/{disk}; mount -o ro /dev/{disk} /mnt/{disk}; '
            f'cat /mnt/{disk}/marker; umount /mnt/{disk}')


def _marker(label):
    return f'stratus-e2e {label} {uuid.uuid4().hex}'


class Volumes:
    """The test's volumes and snapshots, with the waits; all deleted at teardown."""

    def __init__(self, conn):
        self.conn = conn
        self.made = []  # (kind, id), deleted in reverse order
        self.mismatches = []  # checked at the end of a test, so that the rest still runs

    def wait(self, resource, status, failures=('error',)):
        return self.conn.block_storage.wait_for_status(
            resource, status, failures=list(failures), interval=1, wait=VOLUME_WAIT)

    def create(self, **attrs):
        volume = self.conn.block_storage.create_volume(
            name=f'e2e-vol-{uuid.uuid4().hex[:8]}', **attrs)
        self.made.append(('volume', volume.id))
        return self.wait(volume, 'available')

    def snapshot(self, volume):
        snapshot = self.conn.block_storage.create_snapshot(
            volume_id=volume.id, name=f'e2e-snap-{uuid.uuid4().hex[:8]}')
        self.made.append(('snapshot', snapshot.id))
        return self.wait(snapshot, 'available')

    def attach(self, guest, volume):
        """Attach through the compute API; ``(the guest's name of the disk, the
        device the API reported)``: Nova does not promise that they agree."""
        attachment = self.conn.compute.create_volume_attachment(guest.server, volume)
        assert attachment.volume_id == volume.id
        volume = self.wait(volume, 'in-use', failures=('error', 'error_attaching'))
        [attached] = volume.attachments
        assert attached['server_id'] == guest.server.id
        if attached['device'] != attachment.device:
            self.mismatches.append(
                f'volume {volume.id}: the volume API shows device {attached["device"]!r}, '
                f'the compute API {attachment.device!r}')
        return guest.disk_of(volume.id), attachment.device

    def detach(self, guest, volume):
        self.conn.compute.delete_volume_attachment(guest.server, volume, ignore_missing=False)
        volume = self.wait(volume, 'available', failures=('error', 'error_detaching'))
        assert not volume.attachments
        guest.wait_disk_gone(volume.id)

    def delete_all(self):
        storage, compute = self.conn.block_storage, self.conn.compute
        for kind, resource_id in reversed(self.made):
            if kind == 'snapshot':
                snapshot = storage.find_snapshot(resource_id, ignore_missing=True)
                if snapshot is not None:
                    storage.delete_snapshot(snapshot)
                    storage.wait_for_delete(snapshot, interval=1, wait=VOLUME_WAIT)
                continue
            volume = storage.find_volume(resource_id, ignore_missing=True)
            if volume is None:
                continue
            for attached in volume.attachments or []:
                server = compute.find_server(attached['server_id'], ignore_missing=True)
                if server is not None:
                    compute.delete_volume_attachment(server, volume)
            if volume.attachments:
                volume = self.wait(volume, 'available', failures=('error', 'error_detaching'))
            storage.delete_volume(volume)
            storage.wait_for_delete(volume, interval=1, wait=VOLUME_WAIT)
        self.made.clear()


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


@pytest.fixture
def volumes(member, block_storage):
    made = Volumes(member)
    yield made
    made.delete_all()


@pytest.fixture(scope='module')
def guests(member, block_storage):
    """Two guests on demo's network ``private``, each with a floating IP, SSH up."""
    compute, net = member.compute, member.network
    image = member.image.find_image(GUEST_IMAGE, ignore_missing=False)
    flavor = compute.find_flavor('m1.nano', ignore_missing=False)
    private = net.find_network('private', ignore_missing=False)
    public = net.find_network('public', ignore_missing=False)
    suffix = uuid.uuid4().hex[:6]
    made = []  # (delete, resource)
    with tempfile.TemporaryDirectory() as workdir:
        try:
            keypair = compute.create_keypair(name=f'e2e-vol-key-{suffix}')
            made.append((compute.delete_keypair, keypair))
            key_file = os.path.join(workdir, 'key')
            with open(os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as stream:
                stream.write(keypair.private_key)
            servers = []
            for number in (1, 2):
                server = compute.create_server(
                    name=f'e2e-vol-guest{number}-{suffix}', image_id=image.id,
                    flavor_id=flavor.id, networks=[{'uuid': private.id}],
                    key_name=keypair.name)
                made.append((_delete_server(compute), server))
                servers.append(server)
            ready = []
            for server in servers:
                server = compute.wait_for_server(server, wait=BOOT_WAIT)
                [port] = list(net.ports(device_id=server.id))
                fip = net.create_ip(floating_network_id=public.id, port_id=port.id)
                made.append((net.delete_ip, fip))
                ready.append(Guest(member, server, key_file, fip.floating_ip_address))
            for guest in ready:
                guest.wait_ssh()
            yield ready
        finally:
            failures = []
            for delete, resource in reversed(made):
                try:
                    delete(resource, ignore_missing=True)
                except Exception as exc:  # noqa: BLE001 - delete the rest, then report
                    failures.append(f'{type(resource).__name__} {resource.id}: {exc}')
            assert not failures, f'could not delete: {failures}'


def _delete_server(compute):
    def delete(server, ignore_missing):
        compute.delete_server(server, ignore_missing=ignore_missing)
        compute.wait_for_delete(server, wait=BOOT_WAIT)
    return delete


def test_volume_moves_between_guests(guests, volumes):
    first, second = guests
    volume = volumes.create(size=1)
    assert volume.size == 1 and not volume.attachments

    disk, device = volumes.attach(first, volume)
    assert (disk, device) == ('vdb', '/dev/vdb')
    assert int(first.run(f'cat /sys/block/{disk}/size')) * 512 == GIB
    marker = _marker('moves')
    first.run(_write_marker_script(disk, marker, make_file_system=True))
    volumes.detach(first, volume)

    disk, _device = volumes.attach(second, volume)
    assert second.run(_read_marker_script(disk)).strip() == marker
    volumes.detach(second, volume)
    assert volumes.mismatches == []


def test_snapshot_and_restore(guests, volumes):
    guest = guests[1]
    volume = volumes.create(size=1)
    disk, _device = volumes.attach(guest, volume)
    at_snapshot = _marker('at-snapshot')
    guest.run(_write_marker_script(disk, at_snapshot, make_file_system=True))
    volumes.detach(guest, volume)

    snapshot = volumes.snapshot(volume)
    assert snapshot.volume_id == volume.id and snapshot.size == volume.size

    disk, _device = volumes.attach(guest, volume)
    after = _marker('after-snapshot')
    guest.run(_write_marker_script(disk, after, make_file_system=False))
    volumes.detach(guest, volume)

    restored = volumes.create(size=1, snapshot_id=snapshot.id)
    assert restored.snapshot_id == snapshot.id
    restored_disk, _device = volumes.attach(guest, restored)
    assert guest.run(_read_marker_script(restored_disk)).strip() == at_snapshot
    disk, _device = volumes.attach(guest, volume)  # both at once: another slot
    assert disk != restored_disk
    assert guest.run(_read_marker_script(disk)).strip() == after
    volumes.detach(guest, restored)
    volumes.detach(guest, volume)
    assert volumes.mismatches == []


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
