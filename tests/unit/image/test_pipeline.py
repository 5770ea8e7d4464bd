"""``image.pipeline.copy_into``: copy while hashing, within a byte limit."""
import hashlib
import io

import pytest

from image import pipeline


class ListWriter:
    """A store writer that keeps what it is given."""

    def __init__(self):
        self.chunks = []

    def write(self, chunk):
        self.chunks.append(chunk)

    @property
    def data(self):
        return b''.join(self.chunks)


@pytest.mark.parametrize('size, chunk_size', [(1, 4), (4, 4), (1000, 7), (100_000, 4096)])
def test_hashes_equal_hashlib(size, chunk_size):
    data = bytes(i % 251 for i in range(size))
    writer = ListWriter()
    result = pipeline.copy_into(io.BytesIO(data).read, writer, chunk_size=chunk_size,
                                limit=size)
    assert writer.data == data
    assert result == pipeline.CopyResult(size=size, checksum=hashlib.md5(data).hexdigest(),
                                         os_hash_value=hashlib.sha512(data).hexdigest())
    assert all(len(c) <= chunk_size for c in writer.chunks)
    assert pipeline.HASH_ALGO == 'sha512'


def test_zero_byte_stream():
    writer = ListWriter()
    result = pipeline.copy_into(io.BytesIO(b'').read, writer, chunk_size=16, limit=0)
    assert result == pipeline.CopyResult(size=0, checksum=hashlib.md5(b'').hexdigest(),
                                         os_hash_value=hashlib.sha512(b'').hexdigest())
    assert writer.chunks == []


@pytest.mark.parametrize('chunk_size', [1, 3, 10, 64])
def test_limit_is_exact(chunk_size):
    writer = ListWriter()
    result = pipeline.copy_into(io.BytesIO(b'x' * 10).read, writer, chunk_size=chunk_size,
                                limit=10)
    assert result.size == 10
    writer = ListWriter()
    with pytest.raises(pipeline.LimitExceeded) as caught:
        pipeline.copy_into(io.BytesIO(b'x' * 11).read, writer, chunk_size=chunk_size, limit=10)
    assert caught.value.limit == 10
    # Nothing beyond the limit reached the writer.
    assert len(writer.data) <= 10


def test_limit_stops_reading_an_endless_stream():
    reads = []

    def endless(n):
        reads.append(n)
        return b'y' * n
    with pytest.raises(pipeline.LimitExceeded):
        pipeline.copy_into(endless, ListWriter(), chunk_size=100, limit=1000)
    assert len(reads) == 11


def test_short_reads_are_fine():
    """A socket returns fewer bytes than asked; only ``b''`` ends the stream."""
    pieces = [b'a', b'bc', b'def', b'']

    def read(n):
        return pieces.pop(0)
    writer = ListWriter()
    result = pipeline.copy_into(read, writer, chunk_size=1024, limit=100)
    assert (writer.data, result.size) == (b'abcdef', 6)
    assert result.checksum == hashlib.md5(b'abcdef').hexdigest()


@pytest.mark.parametrize('failing', ['read', 'write'])
def test_errors_propagate_and_leave_no_hashing_thread(failing):
    import threading
    before = {t.ident for t in threading.enumerate()}

    def read(n):
        if failing == 'read':
            raise OSError('connection reset')
        return b'z' * n

    class FailingWriter(ListWriter):
        def write(self, chunk):
            raise OSError('disk full')
    writer = FailingWriter() if failing == 'write' else ListWriter()
    with pytest.raises(OSError):
        pipeline.copy_into(read, writer, chunk_size=8, limit=100)
    assert {t.ident for t in threading.enumerate() if t.name.startswith('hash-')} <= before
