"""Where the file driver keeps its files, and how a file appears whole or not at all.

::

    <volumes_dir>/volume-<id>           a volume, raw or qcow2
    <volumes_dir>/snapshot-<id>         a snapshot, always qcow2
    <backup_dir>/backup-<id>/           a backup: manifest.json and its chunks
    <image_conversion_dir>/             images being converted, for the agent
    <name>.<random>@<host>.part         being written (file or directory)

Ids become file names, so only canonical UUIDs are accepted: nothing
else can reach outside the directories.  Everything is written under a
``.part`` name and renamed once complete, after an fsync, so a crash or
a failure never leaves a half-written file under a final name.  The
directories may be shared by several hosts (NFS): the host's name in the
temporary names lets an agent starting again remove its own leftovers,
never a copy another host is making (compute's libvirt ``layout`` does
the same for instance files).
"""
import contextlib
import glob
import logging
import os
import re
import secrets
import shutil
import uuid

from volume.agent.drivers import driver

LOG = logging.getLogger(__name__)
DIR_MODE = 0o711
_HOST_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*')
_PART = '.part'


def checked_id(value, what):
    """``value`` if it is a canonical UUID (lower case, with dashes).

    :param what: the kind of resource, for the message ("volume").
    :raises InvalidResource: anything else.
    """
    try:
        valid = isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        valid = False
    if not valid:
        raise driver.InvalidResource(f'The {what} id {value!r} is not a UUID.')
    return value


class Layout:
    """The paths of one backend, for the agent on ``host``."""

    def __init__(self, volumes_dir, backup_dir, conversion_dir, host):
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(f'host {host!r} cannot name temporary files (letters, digits, '
                             f'".", "_" and "-" only)')
        self.volumes_dir = volumes_dir
        self.backup_dir = backup_dir
        self.conversion_dir = conversion_dir
        self.host = host

    def volume(self, volume_id):
        return os.path.join(self.volumes_dir, 'volume-' + checked_id(volume_id, 'volume'))

    def snapshot(self, snapshot_id):
        return os.path.join(self.volumes_dir,
                            'snapshot-' + checked_id(snapshot_id, 'snapshot'))

    def backup(self, backup_id):
        return os.path.join(self.backup_dir, 'backup-' + checked_id(backup_id, 'backup'))

    def make_directories(self):
        """Create the directories if missing (QEMU must traverse ``volumes_dir``)."""
        os.makedirs(self.volumes_dir, mode=DIR_MODE, exist_ok=True)
        os.makedirs(self.backup_dir, mode=0o700, exist_ok=True)
        os.makedirs(self.conversion_dir, mode=0o700, exist_ok=True)

    def remove_leftovers(self):
        """Remove what this host left being written when it stopped."""
        for directory in (self.volumes_dir, self.backup_dir, self.conversion_dir):
            for path in glob.glob(os.path.join(glob.escape(directory),
                                               f'*@{self.host}{_PART}')):
                LOG.info('Removing %s, left unfinished by an earlier run', path)
                _remove(path)

    @contextlib.contextmanager
    def temporary(self, final):
        """Yield a free ``.part`` name beside ``final``; whatever is left there is removed.

        The body renames it into place when complete (``publish`` or
        ``replace``); on any exit it is removed if still there.
        """
        path = f'{final}.{secrets.token_hex(6)}@{self.host}{_PART}'
        try:
            yield path
        finally:
            _remove(path)


def publish(temporary, final):
    """Make the complete file ``temporary`` appear as ``final``, unless ``final`` exists.

    An existing ``final`` is the work of an earlier attempt of the same
    request, or the user's data: it is kept (a hard link never replaces;
    every POSIX file system and NFS have them).

    :returns: whether ``temporary`` became ``final``.
    """
    _fsync(temporary)
    try:
        os.link(temporary, final)
    except FileExistsError:
        LOG.info('%s exists already; keeping it', final)
        return False
    finally:
        os.unlink(temporary)
    _fsync_directory(final)
    return True


def replace(temporary, final):
    """Make the complete file ``temporary`` replace ``final`` in one step."""
    _fsync(temporary)
    os.replace(temporary, final)
    _fsync_directory(final)


def publish_directory(temporary, final):
    """Rename the complete directory ``temporary`` to ``final``, which must not exist.

    :returns: whether it was renamed (``False``: ``final`` exists and is kept).
    """
    _fsync_directory(os.path.join(temporary, ''))
    try:
        os.rename(temporary, final)
    except OSError as exc:
        if not os.path.isdir(final):
            raise
        LOG.info('%s exists already (%s); keeping it', final, exc.strerror)
        return False
    _fsync_directory(final)
    return True


def remove_file(path):
    """Remove ``path``; succeed when it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        remove_file(path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path):
    """Make the directory holding ``path`` (or ``path/``) keep its entries across a crash."""
    fd = os.open(os.path.dirname(path) or '.', os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
