"""Snapshots and volumes made from them, with the real qemu-img."""
import os

import pytest

from tests.functional.volume.agent import disks
from tests.functional.volume.agent.conftest import new_id
from volume.agent.drivers import driver

FORMATS = ('raw', 'qcow2')
GIB = disks.GIB
MIB = disks.MIB


def _snapshot(volume):
    return {'id': new_id(), 'volume_id': volume['id'], 'volume_size': volume['size']}


@pytest.mark.parametrize('fmt', FORMATS)
def test_snapshot_is_a_standalone_qcow2_copy(drv, make_volume, fmt, tmp_path):
    volume = make_volume(fmt)
    disks.write(volume['provider_location'], fmt, 2 * MIB, 4096, 0x51)
    snapshot = _snapshot(volume)
    update = drv.create_snapshot(snapshot, volume)
    assert update == {'provider_location':
                      str(tmp_path / 'volumes' / f'snapshot-{snapshot["id"]}')}
    described = disks.info(update['provider_location'])
    assert (described['format'], described['virtual-size']) == ('qcow2', GIB)
    assert 'backing-filename' not in described
    disks.write(volume['provider_location'], fmt, 2 * MIB, 4096, 0x52)
    assert disks.holds(update['provider_location'], 'qcow2', 2 * MIB, 4096, 0x51)


def test_snapshot_again_keeps_the_first_copy(drv, make_volume):
    volume = make_volume('raw')
    disks.write(volume['provider_location'], 'raw', 0, 4096, 0x53)
    snapshot = _snapshot(volume)
    first = drv.create_snapshot(snapshot, volume)
    disks.write(volume['provider_location'], 'raw', 0, 4096, 0x54)
    assert drv.create_snapshot(snapshot, volume) == first
    assert disks.holds(first['provider_location'], 'qcow2', 0, 4096, 0x53)


def test_snapshot_of_a_missing_volume(drv):
    volume = {'id': new_id(), 'size': 1, 'format': 'raw'}
    with pytest.raises(driver.VolumeNotFound):
        drv.create_snapshot(_snapshot(volume), volume)


def test_snapshot_of_a_volume_a_guest_has_open(drv, make_volume):
    """Read with force-share: crash-consistent at best, but it does not fail on the lock."""
    volume = make_volume('qcow2')
    disks.write(volume['provider_location'], 'qcow2', MIB, 4096, 0x55)
    with disks.opened_by_guest(volume['provider_location'], 'qcow2'):
        update = drv.create_snapshot(_snapshot(volume), volume)
    assert disks.holds(update['provider_location'], 'qcow2', MIB, 4096, 0x55)


@pytest.mark.parametrize('source_fmt, fmt', [(s, d) for s in FORMATS for d in FORMATS])
def test_volume_from_snapshot_has_its_data_in_the_new_format_and_size(
        drv, make_volume, source_fmt, fmt):
    volume = make_volume(source_fmt)
    disks.write(volume['provider_location'], source_fmt, GIB - 8192, 8192, 0x56)
    snapshot = _snapshot(volume)
    drv.create_snapshot(snapshot, volume)
    disks.write(volume['provider_location'], source_fmt, GIB - 8192, 8192, 0x57)
    new = {'id': new_id(), 'size': 2, 'format': fmt}
    update = drv.create_volume_from_snapshot(new, snapshot)
    described = disks.info(update['provider_location'])
    assert (described['format'], described['virtual-size']) == (fmt, 2 * GIB)
    assert 'backing-filename' not in described
    assert disks.holds(update['provider_location'], fmt, GIB - 8192, 8192, 0x56)
    assert disks.holds(update['provider_location'], fmt, GIB, MIB, 0)


def test_volume_from_a_missing_snapshot(drv, tmp_path):
    new = {'id': new_id(), 'size': 1, 'format': 'raw'}
    with pytest.raises(driver.SnapshotNotFound):
        drv.create_volume_from_snapshot(new, {'id': new_id()})
    assert os.listdir(tmp_path / 'volumes') == []


def test_volume_smaller_than_its_snapshot_is_refused(drv, make_volume, tmp_path):
    volume = make_volume('qcow2', size=2)
    snapshot = _snapshot(volume)
    drv.create_snapshot(snapshot, volume)
    new = {'id': new_id(), 'size': 1, 'format': 'qcow2'}
    with pytest.raises(driver.VolumeTooSmall, match=f'smaller than snapshot {snapshot["id"]}'):
        drv.create_volume_from_snapshot(new, snapshot)
    assert not os.path.exists(tmp_path / 'volumes' / f'volume-{new["id"]}')


def test_delete_snapshot_keeps_the_volume(drv, make_volume):
    volume = make_volume('raw')
    snapshot = _snapshot(volume)
    update = drv.create_snapshot(snapshot, volume)
    drv.delete_snapshot(snapshot)
    drv.delete_snapshot(snapshot)
    assert not os.path.exists(update['provider_location'])
    assert os.path.exists(volume['provider_location'])
