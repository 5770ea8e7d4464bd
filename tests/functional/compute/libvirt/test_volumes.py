"""Hot attach and detach of a file volume on a real running guest, and on a stopped one."""
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from compute.agent.drivers import driver as virt
from tests.functional.compute.libvirt import helpers

SERIAL = '5f1c3a9e-7b2d-4c11-9d0e-0123456789ab'


@pytest.fixture(scope='module')
def guest(drv, guest_image, image_service, cleanup):
    instance = cleanup.guest(drv, helpers.make_instance())
    drv.spawn(virt.SpawnRequest(instance=instance, image_meta=guest_image.image_meta(),
                                fetch_image=image_service))
    helpers.wait_for_console(drv, instance, helpers.BANNER)
    return instance


@pytest.fixture
def volume():
    directory = helpers.traversable_tempdir(helpers.PREFIX + 'volume-')
    path = os.path.join(directory, 'volume-1')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', path, '64M'], check=True)
    os.chmod(path, 0o666)
    yield {'driver_volume_type': 'file', 'data': {'device_path': path, 'format': 'raw'}}
    subprocess.run(['rm', '-rf', directory], check=True)


def _wait_until(predicate, timeout=60):
    """Until ``predicate()``: a hot unplug ends when the guest lets the device go."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f'timed out waiting for {predicate}'
        time.sleep(0.5)


def _disks(libvirt_conn, instance, flags=0):
    xml = ET.fromstring(libvirt_conn.lookupByUUIDString(instance['uuid']).XMLDesc(flags))
    return {d.findtext('serial'): d.find('target').get('dev')
            for d in xml.iterfind('devices/disk') if d.findtext('serial')}


def test_attach_and_detach_while_running(drv, guest, volume, libvirt_conn):
    device = drv.attach_volume(guest, volume, SERIAL)
    assert device == '/dev/vdc'  # vda root, vdb config drive
    assert drv.attach_volume(guest, volume, SERIAL) == device  # a lost reply, repeated
    assert _disks(libvirt_conn, guest)[SERIAL] == 'vdc'
    assert _disks(libvirt_conn, guest, 2)[SERIAL] == 'vdc'  # VIR_DOMAIN_XML_INACTIVE
    # The guest's kernel saw the new disk.
    helpers.wait_for_console(drv, guest, '[vdc]')
    drv.detach_volume(guest, SERIAL)
    _wait_until(lambda: SERIAL not in _disks(libvirt_conn, guest))
    assert SERIAL not in _disks(libvirt_conn, guest, 2)
    drv.detach_volume(guest, SERIAL)  # already gone: fine


def test_attach_to_a_stopped_guest_lasts_until_it_starts(drv, guest, volume, libvirt_conn):
    drv.power_off(guest)
    try:
        assert drv.attach_volume(guest, volume, SERIAL, '/dev/vdd') == '/dev/vdd'
        drv.power_on(guest)
        assert _disks(libvirt_conn, guest)[SERIAL] == 'vdd'
    finally:
        drv.power_on(guest)
    # A live unplug needs the guest's kernel: wait until it booted again.
    helpers.wait_for_console(drv, guest, helpers.BANNER, count=2)
    drv.detach_volume(guest, SERIAL)
    _wait_until(lambda: SERIAL not in _disks(libvirt_conn, guest))


def test_refusals(drv, guest, volume):
    with pytest.raises(virt.DriverError, match='cannot be attached'):
        drv.attach_volume(guest, {'driver_volume_type': 'iscsi', 'data': {}}, 'other-1')
    with pytest.raises(virt.DriverError, match='already in use'):
        drv.attach_volume(guest, volume, 'other-2', '/dev/vda')
    with pytest.raises(virt.InstanceNotFound):
        drv.attach_volume(helpers.make_instance(), volume, SERIAL)
