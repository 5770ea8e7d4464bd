"""Copying a stream into the store while hashing it, in bounded memory.

Image data flows from the request (or the staging area) into a store
writer in fixed-size chunks.  md5 (``checksum``) and sha512
(``os_hash_value``) are computed on two worker threads while the next
chunk is read and written: hashlib releases the GIL on large buffers, so
hashing costs wall time only when it is slower than the disk.  At most a
few chunks are in memory at once, whatever the image size.
"""
import dataclasses
import hashlib
import queue
import threading

HASH_ALGO = 'sha512'
_QUEUE_DEPTH = 4
_DONE = object()


class LimitExceeded(Exception):
    """The stream grew beyond the allowed number of bytes."""

    def __init__(self, limit):
        super().__init__(f'more than {limit} bytes')
        self.limit = limit


@dataclasses.dataclass(frozen=True)
class CopyResult:
    size: int
    checksum: str
    os_hash_value: str


class _Hasher(threading.Thread):

    def __init__(self, algorithm):
        super().__init__(name=f'hash-{algorithm}', daemon=True)
        self.hash = hashlib.new(algorithm)
        self.chunks = queue.Queue(maxsize=_QUEUE_DEPTH)

    def run(self):
        while True:
            chunk = self.chunks.get()
            if chunk is _DONE:
                return
            self.hash.update(chunk)


def copy_into(read, writer, *, chunk_size, limit):
    """Copy ``read(n)`` until it returns ``b''`` into ``writer``.

    :param read: a function like ``file.read``.
    :param writer: a ``StoreWriter``.
    :param limit: the largest number of bytes allowed.
    :raises LimitExceeded: as soon as more than ``limit`` bytes arrive.
    :returns: a ``CopyResult``.
    """
    hashers = [_Hasher('md5'), _Hasher(HASH_ALGO)]
    for hasher in hashers:
        hasher.start()
    size = 0
    try:
        while True:
            chunk = read(chunk_size)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise LimitExceeded(limit)
            for hasher in hashers:
                hasher.chunks.put(chunk)
            writer.write(chunk)
    finally:
        for hasher in hashers:
            hasher.chunks.put(_DONE)
        for hasher in hashers:
            hasher.join()
    return CopyResult(size=size, checksum=hashers[0].hash.hexdigest(),
                      os_hash_value=hashers[1].hash.hexdigest())
