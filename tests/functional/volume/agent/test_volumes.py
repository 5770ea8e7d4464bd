"""Volumes made, cloned, grown and deleted by the file driver with the real qemu-img."""
import os

import pytest

from tests.functional.volume.agent import disks
from tests.functional.volume.agent.conftest import new_id
from tests.unit.image.inspector import crafted
from volume.agent.drivers import driver

FORMATS = ('raw', 'qcow2')
GIB = disks.GIB
MIB = disks.MIB


@pytest.mark.parametrize('fmt', FORMATS)
def test_create_makes_an_empty_volume_in_its_format(drv, make_volume, fmt, tmp_path):
    volume = make_volume(fmt)
    path = str(tmp_path / 'volumes' / f'volume-{volume["id"]}')
    assert volume['provider_location'] == path
    assert volume['format'] == fmt
    described = disks.info(path)
    assert (described['format'], described['virtual-size']) == (fmt, GIB)
    assert disks.holds(path, fmt, 0, 4 * MIB, 0)
    assert os.stat(path).st_blocks * 512 < MIB  # thin
    assert os.stat(path).st_mode & 0o077 == 0


def test_create_without_a_format_uses_the_backend_default(drv, conf):
    conf.set_override('volume_format', 'qcow2', group='backend')
    volume = {'id': new_id(), 'size': 2}
    update = drv.create_volume(volume)
    assert update['format'] == 'qcow2'
    assert disks.info(update['provider_location'])['format'] == 'qcow2'


@pytest.mark.parametrize('fmt', FORMATS)
def test_create_again_keeps_what_was_written(drv, make_volume, fmt):
    volume = make_volume(fmt)
    disks.write(volume['provider_location'], fmt, MIB, 4096, 0x41)
    assert drv.create_volume(dict(volume, size=2)) == {
        'provider_location': volume['provider_location'], 'format': fmt}
    assert disks.holds(volume['provider_location'], fmt, MIB, 4096, 0x41)
    assert disks.info(volume['provider_location'], fmt)['virtual-size'] == GIB


def test_delete_removes_the_file_and_succeeds_again(drv, make_volume):
    volume = make_volume('qcow2')
    drv.delete_volume(volume)
    assert not os.path.exists(volume['provider_location'])
    drv.delete_volume(volume)


@pytest.mark.parametrize('fmt', FORMATS)
def test_extend_keeps_the_data(drv, make_volume, fmt):
    volume = make_volume(fmt)
    disks.write(volume['provider_location'], fmt, GIB - 4096, 4096, 0x42)
    drv.extend_volume(volume, 3)
    assert disks.info(volume['provider_location'], fmt)['virtual-size'] == 3 * GIB
    assert disks.holds(volume['provider_location'], fmt, GIB - 4096, 4096, 0x42)
    assert disks.holds(volume['provider_location'], fmt, GIB, 2 * MIB, 0)
    drv.extend_volume(dict(volume, size=3), 3)  # repeated: nothing to do
    assert disks.info(volume['provider_location'], fmt)['virtual-size'] == 3 * GIB


def test_extend_never_shrinks(drv, make_volume):
    volume = make_volume('raw', size=2)
    with pytest.raises(driver.VolumeTooSmall, match='cannot shrink to 1 GiB'):
        drv.extend_volume(volume, 1)
    assert os.path.getsize(volume['provider_location']) == 2 * GIB


def test_extend_a_missing_volume(drv):
    with pytest.raises(driver.VolumeNotFound):
        drv.extend_volume({'id': new_id(), 'size': 1, 'format': 'raw'}, 2)


def test_extend_a_raw_volume_a_guest_has_open(drv, make_volume, tmp_path):
    """The file grows at once; the guest's QEMU keeps its size until told (block_resize)."""
    volume = make_volume('raw')
    path = volume['provider_location']
    disks.write(path, 'raw', 0, 4096, 0x43)
    with disks.opened_by_guest(path, 'raw'):
        drv.extend_volume(volume, 2)
        assert os.path.getsize(path) == 2 * GIB
    assert disks.holds(path, 'raw', 0, 4096, 0x43)


def test_extend_a_qcow2_volume_a_guest_has_open_is_refused(drv, make_volume, tmp_path):
    volume = make_volume('qcow2')
    path = volume['provider_location']
    with disks.opened_by_guest(path, 'qcow2'):
        with pytest.raises(driver.VolumeInUse, match='running guest has open'):
            drv.extend_volume(volume, 2)
    assert disks.info(path, 'qcow2')['virtual-size'] == GIB


@pytest.mark.parametrize('source_fmt, fmt', [(s, d) for s in FORMATS for d in FORMATS])
def test_clone_copies_into_the_new_format_and_size(drv, make_volume, source_fmt, fmt):
    source = make_volume(source_fmt)
    disks.write(source['provider_location'], source_fmt, 3 * MIB, 8192, 0x44)
    clone = {'id': new_id(), 'size': 2, 'format': fmt}
    update = drv.create_cloned_volume(clone, source)
    assert update['format'] == fmt
    described = disks.info(update['provider_location'])
    assert (described['format'], described['virtual-size']) == (fmt, 2 * GIB)
    assert 'backing-filename' not in described
    assert disks.holds(update['provider_location'], fmt, 3 * MIB, 8192, 0x44)
    disks.write(source['provider_location'], source_fmt, 3 * MIB, 8192, 0x45)
    assert disks.holds(update['provider_location'], fmt, 3 * MIB, 8192, 0x44)


def test_clone_into_a_smaller_volume_is_refused(drv, make_volume, tmp_path):
    source = make_volume('raw', size=2)
    clone = {'id': new_id(), 'size': 1, 'format': 'raw'}
    with pytest.raises(driver.VolumeTooSmall, match='smaller than volume'):
        drv.create_cloned_volume(clone, source)
    assert not os.path.exists(tmp_path / 'volumes' / f'volume-{clone["id"]}')


def test_clone_of_a_volume_a_guest_has_open(drv, make_volume, tmp_path):
    source = make_volume('qcow2')
    disks.write(source['provider_location'], 'qcow2', 0, 4096, 0x46)
    with disks.opened_by_guest(source['provider_location'], 'qcow2'):
        clone = drv.create_cloned_volume({'id': new_id(), 'size': 1, 'format': 'raw'}, source)
    assert disks.holds(clone['provider_location'], 'raw', 0, 4096, 0x46)


def test_a_qcow2_header_written_by_a_guest_stays_data(drv, make_volume, tmp_path):
    """A raw volume is never opened as anything but raw, whatever its first bytes say.

    The guest writes a qcow2 header naming a host file as its backing
    file; had qemu-img probed the format, the clones would hold the host
    file's bytes instead of the header and zeros.
    """
    secret = tmp_path / 'host-secret'
    secret.write_bytes(b'S' * MIB)
    volume = make_volume('raw')
    header = crafted.qcow2(size=GIB, backing_file=str(secret))
    with open(volume['provider_location'], 'r+b') as f:
        f.write(header)
    for fmt in FORMATS:
        clone = drv.create_cloned_volume({'id': new_id(), 'size': 1, 'format': fmt}, volume)
        seen = disks.guest_bytes(clone['provider_location'], fmt, MIB, str(tmp_path))
        assert seen == header + bytes(MIB - len(header))
        assert 'backing-filename' not in disks.info(clone['provider_location'], fmt)
