"""The ``file`` store: one file per image in a directory.

Data is written to ``.partial-<image>-<random>`` in the same directory,
then fsynced and renamed to ``<image>``, and the directory fsynced, so a
committed image survives a crash and a crash never leaves a half-written
file under an image's name.  Locations are ``file://`` URLs.
"""
import os
import uuid

from image.store import driver

PARTIAL_PREFIX = '.partial-'
_SCHEME = 'file://'


def _fsync_directory(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileWriter(driver.StoreWriter):

    def __init__(self, directory, image_id):
        self._directory = directory
        self._final = os.path.join(directory, image_id)
        self._partial = os.path.join(
            directory, f'{PARTIAL_PREFIX}{image_id}-{uuid.uuid4().hex[:8]}')
        self._file = open(self._partial, 'xb')

    def write(self, chunk):
        self._file.write(chunk)

    @property
    def local_path(self):
        self._file.flush()
        return self._partial

    @property
    def location(self):
        return _SCHEME + self._final

    def commit(self):
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._partial, self._final)
        _fsync_directory(self._directory)

    def abort(self):
        if not self._file.closed:
            self._file.close()
        try:
            os.unlink(self._partial)
        except FileNotFoundError:
            pass


class FileStore(driver.Store):

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, mode=0o750, exist_ok=True)

    def _path(self, location):
        if not location.startswith(_SCHEME):
            raise ValueError(f'not a file store location: {location}')
        path = os.path.normpath(location[len(_SCHEME):])
        if os.path.dirname(path) != self.directory:
            raise ValueError(f'location {location} is outside the store {self.directory}')
        return path

    def begin_write(self, image_id):
        return FileWriter(self.directory, image_id)

    def location_of(self, image_id):
        return _SCHEME + os.path.join(self.directory, image_id)

    def open(self, location):
        return open(self._path(location), 'rb')

    def size(self, location):
        return os.path.getsize(self._path(location))

    def exists(self, location):
        return os.path.isfile(self._path(location))

    def delete(self, location):
        try:
            os.unlink(self._path(location))
        except FileNotFoundError:
            pass

    def locations(self):
        for name in os.listdir(self.directory):
            if not name.startswith('.'):
                yield _SCHEME + os.path.join(self.directory, name)

    def remove_partials(self):
        removed = 0
        for name in os.listdir(self.directory):
            if name.startswith(PARTIAL_PREFIX):
                try:
                    os.unlink(os.path.join(self.directory, name))
                    removed += 1
                except FileNotFoundError:
                    pass
        return removed
