"""Backups as chunks of a volume's raw content plus a manifest, full or incremental.

A backup splits the guest-visible (raw) content of a volume into chunks
of ``chunk_size`` bytes and describes every chunk in ``manifest.json``:
``null`` for a chunk of zeros (nothing is stored, so a sparse volume
makes a small backup), otherwise its SHA-256 and the backup that stores
it.  A full backup stores every non-zero chunk.  An incremental backup
compares each chunk's hash with its parent's manifest and stores only
those that differ; the others keep pointing at the backup that stored
them, so every manifest describes the whole volume on its own and a
restore reads one manifest, whatever the length of the chain.  Chunks of
backup ``B`` at index ``i`` are ``backup-B/chunk-<i>``.

Every chunk is checked against its hash when restored: a chunk that is
missing (a parent removed behind the API's back) or altered fails the
restore before the volume is touched.
"""
import dataclasses
import errno
import hashlib
import json
import os

import jsonschema

from volume.agent.drivers import driver

MANIFEST = 'manifest.json'
VERSION = 1
_FILE_MODE = 0o600

_UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
_SCHEMA = {
    'type': 'object',
    'required': ['version', 'backup_id', 'volume_id', 'parent_id', 'size', 'chunk_size',
                 'chunks'],
    'additionalProperties': False,
    'properties': {
        'version': {'const': VERSION},
        'backup_id': {'type': 'string', 'pattern': _UUID},
        'volume_id': {'type': 'string', 'pattern': _UUID},
        'parent_id': {'type': ['string', 'null'], 'pattern': _UUID},
        'size': {'type': 'integer', 'minimum': 0},
        'chunk_size': {'type': 'integer', 'minimum': 1},
        'chunks': {'type': 'array', 'items': {'oneOf': [
            {'type': 'null'},
            {'type': 'object', 'required': ['sha256', 'backup_id'],
             'additionalProperties': False,
             'properties': {'sha256': {'type': 'string', 'pattern': '^[0-9a-f]{64}$'},
                            'backup_id': {'type': 'string', 'pattern': _UUID}}},
        ]}},
    },
}


@dataclasses.dataclass
class Manifest:
    """What one backup holds.

    :ivar size: bytes of raw content (the volume's virtual size).
    :ivar chunks: per chunk index, ``None`` for zeros or
        ``{'sha256': hex, 'backup_id': the backup storing it}``.
    """
    backup_id: str
    volume_id: str
    parent_id: str | None
    size: int
    chunk_size: int
    chunks: list

    def stored_here(self):
        """How many chunks this backup stores itself."""
        return sum(1 for c in self.chunks if c is not None and c['backup_id'] == self.backup_id)

    def chunk_length(self, index):
        """Bytes of chunk ``index`` (the last one may be short)."""
        return min(self.chunk_size, self.size - index * self.chunk_size)

    def to_json(self):
        return json.dumps({'version': VERSION, **dataclasses.asdict(self)})

    @classmethod
    def from_json(cls, text, backup_id):
        """Parse and check a manifest.  :raises BackupCorrupt: it is malformed."""
        try:
            data = json.loads(text)
            jsonschema.validate(data, _SCHEMA)
        except (ValueError, jsonschema.ValidationError) as exc:
            message = getattr(exc, 'message', str(exc))
            raise driver.BackupCorrupt(f'The manifest of backup {backup_id} is unreadable: '
                                       f'{message}') from exc
        data.pop('version')
        manifest = cls(**data)
        expected = -(-manifest.size // manifest.chunk_size)
        if manifest.backup_id != backup_id or len(manifest.chunks) != expected:
            raise driver.BackupCorrupt(f'The manifest of backup {backup_id} does not describe '
                                       f'it (backup {manifest.backup_id}, '
                                       f'{len(manifest.chunks)} chunks for {manifest.size} '
                                       f'bytes).')
        return manifest


def chunk_path(backup_path, index):
    return os.path.join(backup_path, f'chunk-{index:08d}')


def read_manifest(backup_path, backup_id):
    """The manifest of the backup in ``backup_path``.

    :raises BackupNotFound: there is no finished backup there.
    :raises BackupCorrupt: the manifest is malformed.
    """
    try:
        with open(os.path.join(backup_path, MANIFEST), encoding='utf-8') as f:
            return Manifest.from_json(f.read(), backup_id)
    except FileNotFoundError as exc:
        raise driver.BackupNotFound(backup_id) from exc


def write(source, dest_path, ids, parent, chunk_size):
    """Split the raw file ``source`` into chunks in the new directory ``dest_path``.

    Holes of a sparse ``source`` are found with ``SEEK_DATA`` and never
    read: an empty 1 TiB volume is backed up without reading 1 TiB of zeros.

    :param ids: ``(backup_id, volume_id)``.
    :param parent: the parent's :class:`Manifest`, or ``None`` for a full
        backup; an incremental backup keeps its parent's chunk size, so
        that chunk ``i`` covers the same bytes in both.
    :returns: the :class:`Manifest`, also written as ``manifest.json``.
    """
    backup_id, volume_id = ids
    if parent is not None:
        chunk_size = parent.chunk_size
    zeros = bytes(chunk_size)
    chunks = []
    fd = os.open(source, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        for offset in range(0, size, chunk_size):
            length = min(chunk_size, size - offset)
            data = _pread_fully(fd, length, offset) if _has_data(fd, offset, length) else None
            if data is None or _is_zero(data, zeros):
                chunks.append(None)
                continue
            index = len(chunks)
            digest = hashlib.sha256(data).hexdigest()
            inherited = parent.chunks[index] if parent and index < len(parent.chunks) else None
            if inherited is not None and inherited['sha256'] == digest:
                chunks.append(inherited)
                continue
            _write_file(chunk_path(dest_path, index), data)
            chunks.append({'sha256': digest, 'backup_id': backup_id})
    finally:
        os.close(fd)
    manifest = Manifest(backup_id=backup_id, volume_id=volume_id,
                        parent_id=parent.backup_id if parent else None, size=size,
                        chunk_size=chunk_size, chunks=chunks)
    _write_file(os.path.join(dest_path, MANIFEST), manifest.to_json().encode())
    return manifest


def restore(manifest, backup_path_of, dest):
    """Write the backup's raw content into the new file ``dest``, checking every chunk.

    :param backup_path_of: ``backup_path_of(backup_id)``, the directory of
        a backup of the chain.
    :raises BackupCorrupt: a chunk is missing or does not match its hash.
    """
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    try:
        for index, chunk in enumerate(manifest.chunks):
            if chunk is None:
                continue
            data = _read_chunk(manifest, index, chunk, backup_path_of(chunk['backup_id']))
            os.pwrite(fd, data, index * manifest.chunk_size)
        os.ftruncate(fd, manifest.size)
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_chunk(manifest, index, chunk, backup_path):
    where = f'chunk {index} of backup {manifest.backup_id} (stored in backup {chunk["backup_id"]})'
    try:
        with open(chunk_path(backup_path, index), 'rb') as f:
            data = f.read(manifest.chunk_size + 1)
    except FileNotFoundError as exc:
        raise driver.BackupCorrupt(f'The {where} is missing.') from exc
    if len(data) != manifest.chunk_length(index) or \
            hashlib.sha256(data).hexdigest() != chunk['sha256']:
        raise driver.BackupCorrupt(f'The {where} does not match its checksum.')
    return data


def _is_zero(data, zeros):
    """Whether ``data`` is all zero bytes (``zeros``: a full chunk of them)."""
    return data == zeros if len(data) == len(zeros) else data.count(0) == len(data)


def _has_data(fd, offset, length):
    """Whether ``length`` bytes at ``offset`` may hold data (are not all a hole)."""
    try:
        return os.lseek(fd, offset, os.SEEK_DATA) < offset + length
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # only holes from ``offset`` to the end
            return False
        raise


def _pread_fully(fd, length, offset):
    """``length`` bytes at ``offset``, fewer only at the end of the file."""
    parts = []
    while length:
        part = os.pread(fd, length, offset)
        if not part:
            break
        parts.append(part)
        length -= len(part)
        offset += len(part)
    return b''.join(parts)


def _write_file(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
