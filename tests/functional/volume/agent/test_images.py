"""Volumes from images (inspected first) and images from volumes, with the real qemu-img."""
import os

import pytest

from image import inspector
from tests.functional.volume.agent import disks
from tests.functional.volume.agent.conftest import new_id
from volume.agent.drivers import driver

GIB = disks.GIB
MIB = disks.MIB
MARKERS = ((0, 4096, 0x61), (5 * MIB + 512, 4096, 0x62))


@pytest.fixture
def image(tmp_path):
    """``image(qemu_format, size=…)``: an image file made by qemu-img, with MARKERS."""
    def make(qemu_format, size=64 * MIB, **kw):
        return disks.make(str(tmp_path / f'image.{qemu_format}'), qemu_format, size, MARKERS,
                          **kw)
    return make


def _holds_markers(path, fmt):
    return all(disks.holds(path, fmt, offset, length, byte) for offset, length, byte in MARKERS)


@pytest.mark.parametrize('qemu_format, disk_format', [
    ('raw', 'raw'), ('qcow2', 'qcow2'), ('vmdk', 'vmdk'), ('vpc', 'vhd'), ('vhdx', 'vhdx'),
    ('vdi', 'vdi')])
@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_image_becomes_a_volume_in_the_volumes_format(drv, image, fmt, qemu_format,
                                                      disk_format):
    volume = {'id': new_id(), 'size': 1, 'format': fmt}
    update = drv.copy_image_to_volume(volume, image(qemu_format), disk_format)
    described = disks.info(update['provider_location'])
    assert (described['format'], described['virtual-size']) == (fmt, GIB)
    assert 'backing-filename' not in described
    assert _holds_markers(update['provider_location'], fmt)


def test_image_again_keeps_the_volume(drv, image):
    volume = {'id': new_id(), 'size': 1, 'format': 'raw'}
    update = drv.copy_image_to_volume(volume, image('qcow2'), 'qcow2')
    disks.write(update['provider_location'], 'raw', 0, 4096, 0x63)
    assert drv.copy_image_to_volume(volume, image('qcow2'), 'qcow2') == update
    assert disks.holds(update['provider_location'], 'raw', 0, 4096, 0x63)


@pytest.mark.parametrize('make_image, disk_format, reason', [
    (lambda image, tmp: image('qcow2', backing=disks.make(str(tmp / 'host-file'), 'raw', MIB)),
     'qcow2', 'backing file'),
    (lambda image, tmp: image('qcow2'), 'raw', 'the data is qcow2 but disk_format is raw'),
    (lambda image, tmp: image('raw'), 'qcow2', 'the data is raw but disk_format is qcow2'),
    (lambda image, tmp: image('vmdk'), 'vhd', 'the data is vmdk but disk_format is vhd'),
])
def test_refused_images_make_no_volume(drv, image, tmp_path, make_image, disk_format, reason):
    volume = {'id': new_id(), 'size': 1, 'format': 'raw'}
    with pytest.raises(driver.ImageUnacceptable, match=reason):
        drv.copy_image_to_volume(volume, make_image(image, tmp_path), disk_format)
    assert os.listdir(tmp_path / 'volumes') == []


def test_image_with_an_external_data_file_is_refused(drv, tmp_path):
    path = str(tmp_path / 'image.qcow2')
    made = disks.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-o',
                       f'data_file={tmp_path / "image.data"}', path, str(MIB)])
    assert made.returncode == 0, made.stderr
    with pytest.raises(driver.ImageUnacceptable, match='external data file'):
        drv.copy_image_to_volume({'id': new_id(), 'size': 1, 'format': 'qcow2'}, path, 'qcow2')


def test_image_larger_than_the_volume_is_refused(drv, image, tmp_path):
    volume = {'id': new_id(), 'size': 1, 'format': 'qcow2'}
    with pytest.raises(driver.VolumeTooSmall, match='does not fit in volume'):
        drv.copy_image_to_volume(volume, image('qcow2', size=GIB + MIB), 'qcow2')
    assert os.listdir(tmp_path / 'volumes') == []


@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
@pytest.mark.parametrize('disk_format', ['raw', 'qcow2'])
def test_volume_becomes_an_image_that_passes_inspection(drv, image, tmp_path, fmt,
                                                        disk_format):
    volume = {'id': new_id(), 'size': 1, 'format': fmt}
    drv.copy_image_to_volume(volume, image('raw'), 'raw')
    dest = str(tmp_path / 'conversion' / 'upload')
    drv.copy_volume_to_image(volume, dest, disk_format)
    assert inspector.inspect_file(dest, disk_format).virtual_size == GIB
    assert _holds_markers(dest, disk_format)
    assert os.stat(dest).st_mode & 0o077 == 0


def test_upload_of_a_volume_a_guest_has_open(drv, make_volume, tmp_path):
    volume = make_volume('qcow2')
    disks.write(volume['provider_location'], 'qcow2', 0, 4096, 0x64)
    dest = str(tmp_path / 'conversion' / 'upload')
    with disks.opened_by_guest(volume['provider_location'], 'qcow2'):
        drv.copy_volume_to_image(volume, dest, 'qcow2')
    assert disks.holds(dest, 'qcow2', 0, 4096, 0x64)
