"""An attached volume grown by the volume service: the running guest is told with
``blockResize`` on the disk whose ``<serial>`` is the volume id, of the size of
the volume's file.

The real ``LibvirtDriver`` spawns a guest with two volumes (real files, a
raw one and a qcow2 one made by ``qemu-img``) against ``fake_libvirt``,
which records the ``blockResize`` calls.
"""
import subprocess
import uuid

import libvirt
import pytest

from compute import conf as compute_conf
from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import driver as libvirt_driver
from compute.agent.drivers.libvirt import host as libvirt_host
from tests.unit import make_conf
from tests.unit.compute.agent.drivers.libvirt import fake_libvirt

FLAVOR = {'id': 'f1', 'name': 'm1', 'vcpus': 1, 'ram': 128, 'disk': 0, 'ephemeral': 0,
          'swap': 0}
ROOT_VOLUME = '11111111-0000-4000-8000-000000000001'
DATA_VOLUME = '11111111-0000-4000-8000-000000000002'
GiB = 1024 ** 3


QCOW2_VOLUME = '11111111-0000-4000-8000-000000000003'


def _volume(volume_id, boot_index, path, fmt='raw'):
    return {'source_type': 'volume', 'destination_type': 'volume', 'boot_index': boot_index,
            'volume_id': volume_id,
            'connection_info': {'driver_volume_type': 'file',
                                'data': {'device_path': path, 'format': fmt}}}


@pytest.fixture
def conn(monkeypatch):
    connection = fake_libvirt.Connection()
    monkeypatch.setattr(libvirt_host.libvirt, 'open', lambda uri: connection)
    return connection


@pytest.fixture
def guest(conn, tmp_path):
    """``(driver, instance, domain)`` of a running guest booted from ROOT_VOLUME with
    DATA_VOLUME (raw) and QCOW2_VOLUME as its other disks, both grown to 2 GiB."""
    with open(tmp_path / 'data', 'wb') as f:
        f.truncate(2 * GiB)  # sparse
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(tmp_path / 'qcow2'), '2G'],
                   check=True)
    conf = make_conf(tmp_path, register=compute_conf.register_opts,
                     agent__instances_path=str(tmp_path / 'instances'),
                     libvirt__virt_type='qemu', libvirt__connection_uri='qemu:///system',
                     libvirt__domain_name_prefix='stratus-unit-')
    drv = libvirt_driver.LibvirtDriver(conf, 'h1')
    instance = {'uuid': str(uuid.uuid4()), 'name': 'vm', 'flavor': FLAVOR,
                'project_id': 'p1', 'user_id': 'u1'}
    drv.spawn(virt.SpawnRequest(instance=instance, image_meta={}, block_devices=[
        _volume(ROOT_VOLUME, 0, str(tmp_path / 'root')),
        _volume(DATA_VOLUME, None, str(tmp_path / 'data')),
        _volume(QCOW2_VOLUME, None, str(tmp_path / 'qcow2'), 'qcow2')]))
    domain = conn.domains[instance['uuid']]
    assert domain.active
    return drv, instance, domain


def test_the_disk_of_the_volume_is_resized_to_its_file(guest):
    drv, instance, domain = guest
    drv.extend_volume(instance, DATA_VOLUME)
    drv.extend_volume(instance, QCOW2_VOLUME)
    assert domain.resized == [('vdb', 2 * GiB, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES),
                              ('vdc', 2 * GiB, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)]


def test_a_volume_file_that_cannot_be_read_is_a_driver_error(guest, tmp_path):
    drv, instance, domain = guest
    (tmp_path / 'data').unlink()
    with pytest.raises(virt.DriverError, match='Could not read the size of volume'):
        drv.extend_volume(instance, DATA_VOLUME)
    assert domain.resized == []


def test_a_stopped_guest_needs_nothing(guest):
    drv, instance, domain = guest
    drv.power_off(instance)
    drv.extend_volume(instance, DATA_VOLUME)
    assert domain.resized == []


def test_a_volume_not_in_the_guest_is_refused(guest):
    drv, instance, domain = guest
    with pytest.raises(virt.DriverError, match='not attached'):
        drv.extend_volume(instance, '11111111-0000-4000-8000-000000000009')
    assert domain.resized == []


def test_libvirt_refusing_is_a_driver_error(guest, monkeypatch):
    drv, instance, domain = guest

    def refuse(disk, size, flags=0):
        raise fake_libvirt._error(libvirt.VIR_ERR_OPERATION_FAILED, 'block_resize failed')
    monkeypatch.setattr(domain, 'blockResize', refuse)
    with pytest.raises(virt.DriverError, match='Could not extend volume .*block_resize failed'):
        drv.extend_volume(instance, DATA_VOLUME)


def test_no_such_guest(guest):
    drv, _instance, _domain = guest
    with pytest.raises(virt.InstanceNotFound):
        drv.extend_volume({'uuid': str(uuid.uuid4())}, DATA_VOLUME)
