"""Chunking, incremental diffing, manifests and restores, on small files.

Chunks are 4 KiB here so that a few KiB of data spans several of them.
"""
import hashlib
import json
import os
import pathlib
import uuid

import pytest

from volume.agent.drivers import backups
from volume.agent.drivers import driver

CHUNK = 4096
VOLUME_ID = str(uuid.uuid4())


class Store:
    """A backup directory: ``backup(source)`` makes one, ``restore(manifest)`` reads one back."""

    def __init__(self, root):
        self.root = root

    def path(self, backup_id):
        return str(self.root / f'backup-{backup_id}')

    def backup(self, source, parent=None, chunk_size=CHUNK):
        backup_id = str(uuid.uuid4())
        os.mkdir(self.path(backup_id))
        return backups.write(str(source), self.path(backup_id), (backup_id, VOLUME_ID), parent,
                             chunk_size)

    def restore(self, manifest):
        dest = self.root / f'restored-{uuid.uuid4()}'
        backups.restore(manifest, self.path, str(dest))
        return dest.read_bytes()

    def stored(self, manifest):
        return sorted(n for n in os.listdir(self.path(manifest.backup_id)) if n != 'manifest.json')


@pytest.fixture
def store(tmp_path):
    root = tmp_path / 'backups'
    root.mkdir()
    return Store(root)


def _volume(path, size, writes):
    """A sparse file of ``size`` bytes with ``{offset: bytes}`` written into it."""
    with open(path, 'wb') as f:
        f.truncate(size)
        for offset, data in writes.items():
            f.seek(offset)
            f.write(data)
    return path


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def test_full_backup_stores_only_non_zero_chunks(store, tmp_path):
    source = _volume(tmp_path / 'vol', 4 * CHUNK, {CHUNK + 10: b'abc', 3 * CHUNK: b'\0\0x'})
    manifest = store.backup(source)
    data = source.read_bytes()
    assert manifest.size == 4 * CHUNK
    assert manifest.chunks == [
        None,
        {'sha256': _sha(data[CHUNK:2 * CHUNK]), 'backup_id': manifest.backup_id},
        None,
        {'sha256': _sha(data[3 * CHUNK:]), 'backup_id': manifest.backup_id}]
    assert store.stored(manifest) == ['chunk-00000001', 'chunk-00000003']
    assert manifest.stored_here() == 2


def test_zeros_written_over_data_count_as_zeros(store, tmp_path):
    source = _volume(tmp_path / 'vol', 2 * CHUNK, {0: bytes(CHUNK)})  # allocated, but zeros
    assert store.backup(source).chunks == [None, None]


def test_the_manifest_on_disk_is_the_returned_one(store, tmp_path):
    manifest = store.backup(_volume(tmp_path / 'vol', 3 * CHUNK, {5: b'x'}))
    assert backups.read_manifest(store.path(manifest.backup_id), manifest.backup_id) == manifest


def test_incremental_stores_only_changed_chunks(store, tmp_path):
    source = _volume(tmp_path / 'vol', 4 * CHUNK, {0: b'a', CHUNK: b'b', 2 * CHUNK: b'c'})
    full = store.backup(source)
    # chunk 1 changed, chunk 2 went back to zeros, chunk 4 is new (the volume grew)
    _volume(source, 5 * CHUNK, {0: b'a', CHUNK: b'B', 4 * CHUNK: b'new'})
    incremental = store.backup(source, parent=full)
    assert incremental.parent_id == full.backup_id
    assert incremental.chunks[0] == full.chunks[0]
    assert [c and c['backup_id'] for c in incremental.chunks] == [
        full.backup_id, incremental.backup_id, None, None, incremental.backup_id]
    assert store.stored(incremental) == ['chunk-00000001', 'chunk-00000004']
    assert incremental.stored_here() == 2


def test_references_point_at_the_backup_holding_the_chunk(store, tmp_path):
    source = _volume(tmp_path / 'vol', 2 * CHUNK, {0: b'a', CHUNK: b'b'})
    full = store.backup(source)
    _volume(source, 2 * CHUNK, {0: b'a', CHUNK: b'c'})
    second = store.backup(source, parent=full)
    third = store.backup(source, parent=second)
    assert third.chunks == second.chunks
    assert third.chunks[0]['backup_id'] == full.backup_id
    assert third.stored_here() == 0
    assert store.stored(third) == []


def test_incremental_keeps_the_parents_chunk_size(store, tmp_path):
    source = _volume(tmp_path / 'vol', 4 * CHUNK, {0: b'a'})
    full = store.backup(source)
    incremental = store.backup(source, parent=full, chunk_size=2 * CHUNK)
    assert incremental.chunk_size == CHUNK
    assert incremental.stored_here() == 0


@pytest.mark.parametrize('size', [4 * CHUNK, 3 * CHUNK + 100, 10])
def test_restore_gives_back_the_bytes(store, tmp_path, size):
    source = _volume(tmp_path / 'vol', size, {0: b'first', size - 3: b'end'})
    assert store.restore(store.backup(source)) == source.read_bytes()


def test_restore_of_an_incremental_reads_the_chain(store, tmp_path):
    source = _volume(tmp_path / 'vol', 4 * CHUNK, {0: b'a', CHUNK: b'b', 3 * CHUNK: b'd'})
    full = store.backup(source)
    before = source.read_bytes()
    _volume(source, 4 * CHUNK, {0: b'a', CHUNK: b'B', 3 * CHUNK: b'd', 2 * CHUNK: b'c'})
    second = store.backup(source, parent=full)
    _volume(source, 4 * CHUNK, {0: b'a', CHUNK: b'B', 2 * CHUNK: b'c'})
    third = store.backup(source, parent=second)
    assert store.restore(full) == before
    assert store.restore(third) == source.read_bytes()


def test_restore_of_an_empty_volume_is_sparse(store, tmp_path):
    manifest = store.backup(_volume(tmp_path / 'vol', 64 * CHUNK, {}))
    dest = tmp_path / 'restored'
    backups.restore(manifest, store.path, str(dest))
    assert dest.stat().st_size == 64 * CHUNK
    assert dest.stat().st_blocks == 0


def _chunk_file(store, manifest, index):
    return pathlib.Path(backups.chunk_path(store.path(manifest.chunks[index]['backup_id']),
                                           index))


def test_an_altered_chunk_fails_the_restore(store, tmp_path):
    manifest = store.backup(_volume(tmp_path / 'vol', 2 * CHUNK, {CHUNK: b'data'}))
    chunk = _chunk_file(store, manifest, 1)
    chunk.write_bytes(b'DATA' + chunk.read_bytes()[4:])
    with pytest.raises(driver.BackupCorrupt, match='chunk 1 of backup .* does not match'):
        store.restore(manifest)


def test_a_truncated_chunk_fails_the_restore(store, tmp_path):
    manifest = store.backup(_volume(tmp_path / 'vol', 2 * CHUNK, {CHUNK: b'data'}))
    chunk = _chunk_file(store, manifest, 1)
    chunk.write_bytes(chunk.read_bytes()[:-1])
    with pytest.raises(driver.BackupCorrupt):
        store.restore(manifest)


def test_a_chunk_of_a_removed_parent_fails_the_restore(store, tmp_path):
    source = _volume(tmp_path / 'vol', 2 * CHUNK, {0: b'a', CHUNK: b'b'})
    full = store.backup(source)
    _volume(source, 2 * CHUNK, {0: b'a', CHUNK: b'c'})
    incremental = store.backup(source, parent=full)
    _chunk_file(store, incremental, 0).unlink()
    with pytest.raises(driver.BackupCorrupt,
                       match=f'chunk 0 of backup {incremental.backup_id} \\(stored in backup '
                             f'{full.backup_id}\\) is missing'):
        store.restore(incremental)


def test_missing_manifest_is_backup_not_found(store):
    backup_id = str(uuid.uuid4())
    with pytest.raises(driver.BackupNotFound):
        backups.read_manifest(store.path(backup_id), backup_id)


def _tampered(store, tmp_path, change):
    manifest = store.backup(_volume(tmp_path / 'vol', 2 * CHUNK, {0: b'a'}))
    path = pathlib.Path(store.path(manifest.backup_id)) / 'manifest.json'
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return manifest.backup_id


@pytest.mark.parametrize('change', [
    lambda m: m['chunks'][0].update(backup_id='../../etc'),
    lambda m: m['chunks'][0].update(sha256='not a hash'),
    lambda m: m['chunks'].append(None),
    lambda m: m.update(version=2),
    lambda m: m.update(backup_id=str(uuid.uuid4())),
    lambda m: m.update(size=-1),
    lambda m: m.update(chunk_size=0),
])
def test_a_tampered_manifest_is_refused(store, tmp_path, change):
    backup_id = _tampered(store, tmp_path, change)
    with pytest.raises(driver.BackupCorrupt, match=f'manifest of backup {backup_id}'):
        backups.read_manifest(store.path(backup_id), backup_id)


def test_a_manifest_that_is_not_json_is_refused(store):
    backup_id = str(uuid.uuid4())
    os.mkdir(store.path(backup_id))
    pathlib.Path(store.path(backup_id), 'manifest.json').write_text('{"version": 1,')
    with pytest.raises(driver.BackupCorrupt, match='unreadable'):
        backups.read_manifest(store.path(backup_id), backup_id)
