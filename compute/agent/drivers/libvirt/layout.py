"""Where the libvirt driver keeps files, under ``[agent] instances_path``.

::

    _base/<image_id>     images fetched from the image service, once per host
    _base/<image_id>.<random>@<host>.part   a download in progress
    _hosts/<host>        one empty file per agent host using this directory
    snapshots/<uuid>-<random>@<host>.qcow2  snapshots, until uploaded
    <uuid>/              one instance: disk, disk.eph0, disk.swap, disk.config,
                         kernel, ramdisk, console.log, owner
    <uuid>_resize/       an instance's files set aside by a resize

The directory may be shared between hosts (NFS), as Nova allows: each
host announces itself in ``_hosts``, so a host sees whether another uses
the same directory (Nova keeps a ``compute_nodes`` file for the same
purpose), and each instance directory names its ``owner`` host, so that a
host never deletes the files of a guest another host runs.  Temporary
files end in ``@<host>`` and a suffix (``@`` is in no id or host name), so
that a host starting again removes its own leftovers, never those of
another host at work on the same directory.

Tenants' data is private to root: directories are ``DIR_MODE`` (QEMU,
running as its own user, must traverse them, but nobody else may list
them) and every file the driver makes is created ``FILE_MODE`` (no moment
when it is readable by others).  When a guest starts, libvirt's
``dynamic_ownership`` gives the files it uses (disks and their backing
file in ``_base``, kernel, ramdisk, config drive) to the QEMU user, and
gives them back to root when it stops.
"""
import dataclasses
import glob
import logging
import os
import re
import secrets
import shutil

from compute.agent.drivers.driver import DriverError

LOG = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*')
DIR_MODE = 0o711
FILE_MODE = 0o600
_COPY_CHUNK = 1024 * 1024


def make_directory(path, exist_ok=False):
    """Create the directory ``path`` (and its parents) with ``DIR_MODE``, whatever the umask.

    :raises FileExistsError: it exists and ``exist_ok`` is false.
    """
    os.makedirs(path, mode=0o700, exist_ok=exist_ok)
    os.chmod(path, DIR_MODE)


def _private(path, flags):
    return os.open(path, flags, FILE_MODE)


def create_private(path):
    """The new file ``path``, opened for binary writing, readable by root only."""
    return open(path, 'xb', opener=_private)


def copy_private(source, dest):
    """Copy ``source`` to the new file ``dest`` (``FILE_MODE`` from its creation)."""
    with open(source, 'rb') as src, create_private(dest) as dst:
        shutil.copyfileobj(src, dst, _COPY_CHUNK)


def safe_name(value, kind):
    """``value`` if it can be used as one file name (no ``/``, no leading dot).

    :raises DriverError: it cannot.
    """
    if not isinstance(value, str) or not _SAFE_NAME.fullmatch(value):
        raise DriverError(f'{kind} {value!r} cannot name a file on this host.')
    return value


@dataclasses.dataclass(frozen=True)
class InstanceFiles:
    """The files of one instance directory (they need not all exist)."""
    directory: str

    def _file(self, name):
        return os.path.join(self.directory, name)

    @property
    def root_disk(self):
        return self._file('disk')

    @property
    def ephemeral_disk(self):
        return self._file('disk.eph0')

    @property
    def swap_disk(self):
        return self._file('disk.swap')

    @property
    def config_drive(self):
        return self._file('disk.config')

    @property
    def kernel(self):
        return self._file('kernel')

    @property
    def ramdisk(self):
        return self._file('ramdisk')

    @property
    def console_log(self):
        return self._file('console.log')

    @property
    def owner_file(self):
        return self._file('owner')

    def owner(self):
        """The host that runs this instance's guest, or ``''`` when unknown."""
        try:
            with open(self.owner_file) as f:
                return f.read().strip()
        except FileNotFoundError:
            return ''

    def claim(self, host):
        with open(self.owner_file, 'w', opener=_private) as f:
            f.write(host + '\n')


class InstancesPath:
    """``[agent] instances_path`` as seen by agent host ``host``."""

    def __init__(self, root, host):
        self.root = root
        self.host = host

    @property
    def base_dir(self):
        return os.path.join(self.root, '_base')

    @property
    def snapshots_dir(self):
        return os.path.join(self.root, 'snapshots')

    def _hosts_dir(self):
        return os.path.join(self.root, '_hosts')

    def instance(self, uuid):
        return InstanceFiles(os.path.join(self.root, safe_name(uuid, 'Instance uuid')))

    def resize(self, uuid):
        """Where a resize sets the files of ``uuid`` aside."""
        return InstanceFiles(os.path.join(self.root, safe_name(uuid, 'Instance uuid') +
                                          '_resize'))

    def _temporary_suffix(self, extension):
        return f'@{safe_name(self.host, "Host name")}.{extension}'

    def partial_image(self, final):
        """A temporary name, beside ``final``, for this host's download of an image."""
        return f'{final}.{secrets.token_hex(4)}{self._temporary_suffix("part")}'

    def snapshot(self, uuid):
        """A new file name in ``snapshots_dir`` for a snapshot of instance ``uuid``."""
        name = (f'{safe_name(uuid, "Instance uuid")}-{secrets.token_hex(4)}'
                f'{self._temporary_suffix("qcow2")}')
        return os.path.join(self.snapshots_dir, name)

    def prepare(self):
        """Create the directories, announce this host in ``_hosts``, remove its leftovers.

        Leftovers are the partial downloads and snapshot files of this host:
        the operations that made them died with the previous agent process.
        """
        for path in (self.root, self.base_dir, self.snapshots_dir, self._hosts_dir()):
            make_directory(path, exist_ok=True)
        open(os.path.join(self._hosts_dir(), safe_name(self.host, 'Host name')), 'a',
             opener=_private).close()
        for directory, extension in ((self.base_dir, 'part'), (self.snapshots_dir, 'qcow2')):
            pattern = '*' + glob.escape(self._temporary_suffix(extension))
            for path in glob.glob(os.path.join(glob.escape(directory), pattern)):
                LOG.info('Removing %s, left by an operation of a previous agent process',
                         path)
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass

    def shared_with(self, host):
        """Whether agent host ``host`` uses this same directory."""
        return os.path.exists(os.path.join(self._hosts_dir(), safe_name(host, 'Host name')))

    def shared(self):
        """Whether any other agent host uses this same directory."""
        return any(name != safe_name(self.host, 'Host name')
                   for name in os.listdir(self._hosts_dir()))
