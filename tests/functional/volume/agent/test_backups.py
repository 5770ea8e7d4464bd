"""Full and incremental backups, and restores, with the real qemu-img.

Chunks are 1 MiB (conftest), so the markers below fall in distinct
chunks: 0x71 in chunk 0, 0x72 in chunk 5, 0x73 in the last one.
"""
import json
import os
import pathlib

import pytest

from tests.functional.volume.agent import disks
from tests.functional.volume.agent.conftest import new_id
from volume.agent.drivers import driver

GIB = disks.GIB
MIB = disks.MIB
FIRST = ((0, 4096, 0x71), (5 * MIB + 100, 4096, 0x72), (GIB - 4096, 4096, 0x73))


def _backup(volume, parent=None):
    return {'id': new_id(), 'volume_id': volume['id'], 'parent': parent}


def _write(volume, markers):
    for offset, length, byte in markers:
        disks.write(volume['provider_location'], volume['format'], offset, length, byte)


def _holds(volume, markers):
    return all(disks.holds(volume['provider_location'], volume['format'], offset, length, byte)
               for offset, length, byte in markers)


@pytest.fixture
def backed_up(drv, make_volume, request):
    """``(volume, full backup, its result)`` of a volume of ``request.param`` format with FIRST."""
    volume = make_volume(request.param)
    _write(volume, FIRST)
    backup = _backup(volume)
    return volume, backup, drv.backup_volume(backup, volume)


@pytest.mark.parametrize('backed_up', ['raw', 'qcow2'], indirect=True)
def test_full_backup_stores_the_chunks_with_data(drv, backed_up, tmp_path):
    volume, backup, result = backed_up
    path = tmp_path / 'backups' / f'backup-{backup["id"]}'
    assert result == {'size': 1, 'object_count': 3, 'provider_location': str(path)}
    assert sorted(os.listdir(path)) == ['chunk-00000000', 'chunk-00000005', 'chunk-00001023',
                                        'manifest.json']
    assert drv.backup_volume(backup, volume) == result


@pytest.mark.parametrize('backed_up', ['raw', 'qcow2'], indirect=True)
@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_restore_brings_back_the_data_in_the_volumes_format(drv, make_volume, backed_up, fmt):
    volume, backup, _ = backed_up
    target = make_volume(fmt, size=2)
    _write(target, [(10 * MIB, 4096, 0x7f)])
    drv.restore_backup(backup, target)
    described = disks.info(target['provider_location'])
    assert (described['format'], described['virtual-size']) == (fmt, 2 * GIB)
    assert _holds(target, FIRST)
    assert _holds(target, [(10 * MIB, 4096, 0), (GIB, MIB, 0)])
    assert os.stat(target['provider_location']).st_mode & 0o077 == 0


@pytest.mark.parametrize('backed_up', ['raw', 'qcow2'], indirect=True)
def test_incremental_stores_what_changed_and_restores_each_point(drv, make_volume, backed_up):
    volume, full, _ = backed_up
    _write(volume, [(5 * MIB + 100, 4096, 0x74), (7 * MIB, 4096, 0x75)])
    second = _backup(volume, parent=full)
    result = drv.backup_volume(second, volume, parent=full)
    assert result['object_count'] == 2
    _write(volume, [(0, 4096, 0x76)])
    third = _backup(volume, parent=second)
    assert drv.backup_volume(third, volume, parent=second)['object_count'] == 1

    target = make_volume('qcow2')
    drv.restore_backup(third, target)
    assert _holds(target, [(0, 4096, 0x76), (5 * MIB + 100, 4096, 0x74), (7 * MIB, 4096, 0x75),
                           (GIB - 4096, 4096, 0x73)])
    drv.restore_backup(second, target)
    assert _holds(target, [(0, 4096, 0x71), (5 * MIB + 100, 4096, 0x74)])
    drv.restore_backup(full, target)
    assert _holds(target, FIRST + ((7 * MIB, 4096, 0),))


def test_incremental_of_an_extended_volume(drv, make_volume, tmp_path):
    volume = make_volume('raw')
    _write(volume, FIRST)
    full = _backup(volume)
    drv.backup_volume(full, volume)
    drv.extend_volume(volume, 2)
    volume['size'] = 2
    _write(volume, [(GIB + MIB, 4096, 0x77)])
    incremental = _backup(volume, parent=full)
    assert drv.backup_volume(incremental, volume, parent=full) == {
        'size': 2, 'object_count': 1,
        'provider_location': str(tmp_path / 'backups' / f'backup-{incremental["id"]}')}
    target = make_volume('raw', size=2)
    drv.restore_backup(incremental, target)
    assert _holds(target, FIRST + ((GIB + MIB, 4096, 0x77),))


def test_backup_from_a_snapshot_reads_the_snapshot(drv, make_volume):
    volume = make_volume('raw')
    _write(volume, FIRST)
    snapshot = {'id': new_id(), 'volume_id': volume['id'], 'volume_size': 1}
    drv.create_snapshot(snapshot, volume)
    _write(volume, [(0, 4096, 0x78)])
    backup = _backup(volume)
    drv.backup_volume(backup, volume, snapshot=snapshot)
    target = make_volume('raw')
    drv.restore_backup(backup, target)
    assert _holds(target, FIRST)


def test_backup_of_a_volume_a_guest_has_open(drv, make_volume):
    volume = make_volume('qcow2')
    _write(volume, FIRST)
    backup = _backup(volume)
    with disks.opened_by_guest(volume['provider_location'], 'qcow2'):
        drv.backup_volume(backup, volume)
    target = make_volume('raw')
    drv.restore_backup(backup, target)
    assert _holds(target, FIRST)


@pytest.mark.parametrize('backed_up', ['raw'], indirect=True)
def test_restore_into_a_smaller_volume_is_refused(drv, make_volume, backed_up):
    volume, backup, _ = backed_up
    drv.extend_volume(volume, 2)
    volume['size'] = 2
    bigger = _backup(volume)
    drv.backup_volume(bigger, volume)
    target = make_volume('raw')
    _write(target, [(0, 4096, 0x79)])
    with pytest.raises(driver.VolumeTooSmall, match=f'smaller than backup {bigger["id"]}'):
        drv.restore_backup(bigger, target)
    assert _holds(target, [(0, 4096, 0x79)])


@pytest.mark.parametrize('backed_up', ['qcow2'], indirect=True)
def test_a_corrupt_chunk_fails_the_restore_and_leaves_the_volume(drv, make_volume, backed_up):
    _, backup, result = backed_up
    chunk = pathlib.Path(result['provider_location'], 'chunk-00000005')
    data = bytearray(chunk.read_bytes())
    data[200] ^= 0xff
    chunk.write_bytes(data)
    target = make_volume('qcow2')
    _write(target, [(0, 4096, 0x7a)])
    with pytest.raises(driver.BackupCorrupt, match='chunk 5 of backup .* does not match'):
        drv.restore_backup(backup, target)
    assert _holds(target, [(0, 4096, 0x7a)])


@pytest.mark.parametrize('backed_up', ['raw'], indirect=True)
def test_deleting_a_backup_removes_only_its_own_chunks(drv, make_volume, backed_up):
    volume, full, full_result = backed_up
    _write(volume, [(0, 4096, 0x7b)])
    incremental = _backup(volume, parent=full)
    result = drv.backup_volume(incremental, volume, parent=full)
    drv.delete_backup(incremental)
    drv.delete_backup(incremental)
    assert not os.path.exists(result['provider_location'])
    target = make_volume('raw')
    drv.restore_backup(full, target)
    assert _holds(target, FIRST)
    # Deleting a parent behind the API's back is detected on restore.
    second = _backup(volume, parent=full)
    drv.backup_volume(second, volume, parent=full)
    drv.delete_backup(full)
    assert not os.path.exists(full_result['provider_location'])
    with pytest.raises(driver.BackupCorrupt, match='is missing'):
        drv.restore_backup(second, target)


@pytest.mark.parametrize('backed_up', ['raw'], indirect=True)
def test_parent_must_be_a_backup_of_the_same_volume(drv, make_volume, backed_up):
    _, full, _ = backed_up
    other = make_volume('raw')
    with pytest.raises(driver.InvalidResource, match='cannot be the parent'):
        drv.backup_volume(_backup(other, parent=full), other, parent=full)


@pytest.mark.parametrize('backed_up', ['raw'], indirect=True)
def test_manifest_describes_the_backup(backed_up):
    volume, backup, result = backed_up
    manifest = json.loads(pathlib.Path(result['provider_location'], 'manifest.json').read_text())
    assert (manifest['backup_id'], manifest['volume_id'], manifest['parent_id']) == (
        backup['id'], volume['id'], None)
    assert (manifest['size'], manifest['chunk_size'], len(manifest['chunks'])) == (
        GIB, MIB, 1024)
