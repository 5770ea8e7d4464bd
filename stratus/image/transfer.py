"""Streaming image data: request bodies for uploads, verified writes for downloads.

Images are often larger than memory, so data is never read whole: an
upload body hands the transport one chunk at a time, and a download writes
each chunk as it arrives while hashing it.  Both report progress as
``progress(bytes_done, total)``, where ``total`` is ``None`` when the size
is not known in advance.
"""
import contextlib
import hashlib
import io
import os
import secrets

from stratus import exceptions
from stratus.image.exceptions import ChecksumMismatch

# Large chunks: with small ones the client, not the API, limits throughput.
CHUNK_SIZE = 1024 * 1024


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


@contextlib.contextmanager
def opened_source(source):
    """A binary file object reading ``source``: a path (opened and closed here) or a file."""
    if _is_path(source):
        with open(source, 'rb') as stream:
            yield stream
        return
    if isinstance(source, io.TextIOBase):
        raise TypeError('Image data must be read from a file opened in binary mode.')
    yield source


def remaining_size(stream):
    """Bytes left to read in ``stream`` when it can tell (a regular file), else ``None``."""
    try:
        if not stream.seekable():
            return None
        position = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(position)
    except (AttributeError, OSError):
        return None
    return end - position


def _chunks(stream, size, progress):
    """Chunks of ``stream`` (at most ``size`` bytes when given), reporting each one sent.

    A chunk counts as sent when the transport asks for the next one.

    :raises SDKError: the stream ended before ``size`` bytes.
    """
    sent = 0
    while size is None or sent < size:
        chunk = stream.read(CHUNK_SIZE if size is None else min(CHUNK_SIZE, size - sent))
        if not chunk:
            break
        yield chunk
        sent += len(chunk)
        if progress is not None:
            progress(sent, size)
    if size is not None and sent < size:
        raise exceptions.SDKError(f'The image data ended after {sent} of the {size} bytes '
                                  'announced.')


class _SizedBody:
    """An iterable body whose length ``requests`` sends as ``Content-Length``."""

    def __init__(self, chunks, size):
        self._chunks = chunks
        self._size = size

    def __iter__(self):
        return self._chunks

    def __len__(self):
        return self._size


def request_body(stream, size, progress=None):
    """The ``data`` of an upload request reading ``stream``.

    :param size: the number of bytes to send, or ``None`` to send until the
        end of ``stream`` with chunked transfer encoding.
    """
    chunks = _chunks(stream, size, progress)
    return chunks if size is None else _SizedBody(chunks, size)


def _digest(image, headers):
    """``(hash object, expected hex digest, algorithm)`` to verify a download, or ``None``.

    Glance's own order: the image's ``os_hash_algo``/``os_hash_value``, then
    its ``checksum`` (MD5), then the response's ``Content-MD5``.
    """
    algorithm, value = image.get('os_hash_algo'), image.get('os_hash_value')
    if algorithm and value:
        try:
            return hashlib.new(algorithm, usedforsecurity=False), value, algorithm
        except ValueError:
            pass  # an algorithm this Python lacks: fall back to MD5
    value = image.get('checksum') or headers.get('Content-MD5')
    if value:
        return hashlib.md5(usedforsecurity=False), value, 'md5'
    return None


@contextlib.contextmanager
def _writable(destination):
    """A binary file to write the download to, made final only if the block succeeds.

    For a path, data goes to a new file beside it that replaces the
    destination at the end, or is removed on any failure: an unverified or
    partial download never appears under the destination's name.  A file
    object is the caller's: it is written to and left open.
    """
    if not _is_path(destination):
        yield destination
        return
    final = os.fspath(destination)
    partial = f'{final}.{secrets.token_hex(4)}.part'
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, 'wb') as stream:
            yield stream
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise


def save(response, destination, image, progress=None):
    """Write the body of a streamed download ``response`` of ``image`` to ``destination``.

    :param destination: a path, or a binary file object.
    :returns: the number of bytes written.
    :raises ChecksumMismatch: the data does not match the image's hash.
    """
    verifier = _digest(image, response.headers)
    length = response.headers.get('Content-Length')
    total = int(length) if length else image.get('size')
    received = 0
    with _writable(destination) as stream:
        for chunk in response.iter_content(CHUNK_SIZE):
            if verifier is not None:
                verifier[0].update(chunk)
            stream.write(chunk)
            received += len(chunk)
            if progress is not None:
                progress(received, total)
        if verifier is not None:
            digest, expected, algorithm = verifier
            if digest.hexdigest() != expected.lower():
                raise ChecksumMismatch(
                    f"The data of image {image['id']} does not match its {algorithm} hash "
                    f'(expected {expected}, received {digest.hexdigest()}).')
    return received
