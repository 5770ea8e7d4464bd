"""Images are inspected, with the image service's inspector, before they become volumes."""
import uuid

import pytest

from tests.unit.image.inspector import crafted
from volume.agent.drivers import driver
from volume.agent.drivers import images

GIB = 1024 ** 3
VOLUME = {'id': str(uuid.uuid4()), 'size': 1, 'format': 'raw'}


@pytest.fixture
def image(tmp_path):
    """``image(data)``: the path of a file holding ``data``."""
    def make(data):
        path = tmp_path / 'image'
        path.write_bytes(data)
        return str(path)
    return make


@pytest.mark.parametrize('data, disk_format, qemu_format', [
    (b'boot' + bytes(4092), 'raw', 'raw'),
    (crafted.qcow2(size=GIB), 'qcow2', 'qcow2'),
    (crafted.vhd_fixed(), 'vhd', 'vpc'),
    (crafted.vdi(), 'vdi', 'vdi'),
    (crafted.iso(), 'iso', 'raw'),
])
def test_accepted_images_are_read_as_their_real_format(image, data, disk_format, qemu_format):
    assert images.checked_source_format(image(data), disk_format, VOLUME) == qemu_format


def test_every_format_the_inspector_detects_has_a_qemu_name():
    assert set(images.QEMU_FORMATS) == {'raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso'}


@pytest.mark.parametrize('data, disk_format, reason', [
    (crafted.qcow2(backing_file='/etc/shadow'), 'qcow2', 'backing file'),
    (crafted.qcow2(incompatible=1 << 2), 'qcow2', 'external data file'),
    (crafted.qcow2(), 'raw', 'the data is qcow2 but disk_format is raw'),
    (b'plain bytes' + bytes(4085), 'qcow2', 'the data is raw but disk_format is qcow2'),
    (b'', 'raw', 'empty'),
    (b'x' * 512, 'ploop', 'not supported'),
])
def test_refused_images_say_why(image, data, disk_format, reason):
    with pytest.raises(driver.ImageUnacceptable, match=f'^Image rejected: .*{reason}'):
        images.checked_source_format(image(data), disk_format, VOLUME)


def test_an_image_larger_than_the_volume_is_refused(image):
    path = image(crafted.qcow2(size=GIB + 512))
    with pytest.raises(driver.VolumeTooSmall, match=f'does not fit in volume {VOLUME["id"]} '
                                                    f'of 1 GiB'):
        images.checked_source_format(path, 'qcow2', VOLUME)
    assert images.checked_source_format(path, 'qcow2', dict(VOLUME, size=2)) == 'qcow2'


def test_an_unreadable_file_is_a_driver_error(tmp_path):
    with pytest.raises(driver.DriverError, match='cannot be read'):
        images.checked_source_format(str(tmp_path / 'gone'), 'raw', VOLUME)
