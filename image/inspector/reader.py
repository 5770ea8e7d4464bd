"""Bounded random-access reads of an uploaded image.

Images can be tens of GiB, and their headers are written by whoever
uploads them, so a header must never make the inspector read (or
allocate) more than a small, fixed amount: every byte goes through
:class:`ImageReader`, which reads with ``os.pread`` (no shared file
position, nothing buffered) and charges each read against a budget.
"""
import contextlib
import os
import stat

from image.inspector.errors import ImageRejected

# The largest structures the inspectors load are a qcow2 header cluster
# (2 MiB at most) and a VMDK descriptor (1 MiB at most); every other read is
# a few KiB.  Twice their sum leaves room for the small reads.
READ_BUDGET = 6 * 1024 * 1024


class ImageReader:
    """Reads regions of one image file, never more than ``READ_BUDGET``.

    :param fd: a file descriptor opened for reading; the reader does not
        close it
    :param size: the size of the file in bytes
    """

    def __init__(self, fd, size):
        self._fd = fd
        self.size = size
        self._budget = READ_BUDGET

    @classmethod
    @contextlib.contextmanager
    def open(cls, path):
        """Open ``path`` read-only and yield a reader for it.

        :raises OSError: if the file cannot be opened or is not a regular
            file (a problem of the server, not of the image)
        """
        fd = os.open(path, os.O_RDONLY)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(f'{path} is not a regular file')
            yield cls(fd, info.st_size)
        finally:
            os.close(fd)

    def peek(self, offset, length):
        """Return up to ``length`` bytes at ``offset``, fewer at the end.

        Used to look for signatures, where a short file simply does not
        match.

        :raises ImageRejected: if the read would exceed the budget
        """
        if offset < 0 or offset >= self.size or length <= 0:
            return b''
        length = min(length, self.size - offset)
        if length > self._budget:
            raise ImageRejected('its metadata is larger than the inspector reads '
                                f'({READ_BUDGET} bytes at most)')
        self._budget -= length
        chunks = []
        while length:
            chunk = os.pread(self._fd, length, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
            length -= len(chunk)
        return b''.join(chunks)

    def read(self, offset, length, what):
        """Return exactly ``length`` bytes at ``offset``.

        :param what: the structure being read, for the error message
            ("qcow2 header", "VHD dynamic disk header", ...)
        :raises ImageRejected: if the structure does not lie entirely
            inside the file (the file is truncated or the header points
            elsewhere), or the read would exceed the budget
        """
        self.require(offset, length, what)
        data = self.peek(offset, length)
        if len(data) != length:
            # The file shrank while we were reading it.
            raise ImageRejected(f'the {what} could not be read completely')
        return data

    def require(self, offset, length, what):
        """Check that ``length`` bytes at ``offset`` lie inside the file.

        :raises ImageRejected: naming ``what`` when they do not
        """
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ImageRejected(f'the {what} lies outside the file (at byte {offset}, '
                                f'{length} bytes, but the file has {self.size} bytes); '
                                'the file is truncated or its header is wrong')
