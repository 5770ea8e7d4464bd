"""The ``file`` backend: volumes as raw or qcow2 files in a directory.

The directory (``[backend] volumes_dir``) may be an NFS mount that every
compute host mounts at the same path, like CloudStack's primary storage:
attaching a volume is then naming its file (``initialize_connection``)
and the compute agent opens it with QEMU.  Paths and the atomic
publishing of files are in :mod:`layout`, qemu-img in :mod:`qemu_img`,
image checks in :mod:`images` and backups in :mod:`backups`; this module
only orchestrates.

Consistency of copies of an attached volume: snapshots, clones, backups
and uploads read the file with ``--force-share`` while the guest may be
writing it.  Each part of the copy is as the guest had written it when
that part was read, so the copy is *crash-consistent at best*: like the
disk of a machine that lost power, and, since the copy takes time, not
even from one single instant when the guest writes during it (a qcow2
file's metadata may also be read in the middle of an update).  For a
clean copy, detach the volume or quiesce the guest first; a point-in-time
copy of a running guest needs its QEMU (a compute-side job), which this
driver cannot ask for.

Snapshots are always qcow2, whatever the volume's format: the snapshot
records no format of its own, and a fixed one means no file is ever
opened with a guessed format; qcow2 also stays thin on any file system.
"""
import contextlib
import logging
import math
import os
import shutil

from volume.agent import opts
from volume.agent.drivers import backups
from volume.agent.drivers import driver
from volume.agent.drivers import images
from volume.agent.drivers import layout
from volume.agent.drivers import qemu_img

LOG = logging.getLogger(__name__)
GiB = 1024 ** 3
MiB = 1024 ** 2
SNAPSHOT_FORMAT = 'qcow2'
DRIVER_VOLUME_TYPE = 'file'


class FileDriver(driver.VolumeDriver):
    """Volumes in ``[backend] volumes_dir``, backups in ``[backend] backup_dir``."""

    def __init__(self, conf, host):
        self._conf = conf[opts.BACKEND_GROUP]
        self._layout = layout.Layout(self._conf.volumes_dir, self._conf.backup_dir,
                                     self._conf.image_conversion_dir, host)
        self._qemu_img = qemu_img.QemuImg(self._conf.qemu_img_timeout)

    def setup(self):
        with _storage_errors('Preparing the volume directories'):
            self._layout.make_directories()
            self._layout.remove_leftovers()
        self._qemu_img.check_installed()

    def capabilities(self):
        with _storage_errors(f'Reading the capacity of {self._conf.volumes_dir}'):
            stats = os.statvfs(self._conf.volumes_dir)
        return {
            'volume_backend_name': self._conf.volume_backend_name,
            'driver': 'file',
            'storage_protocol': DRIVER_VOLUME_TYPE,
            'total_capacity_gb': round(stats.f_blocks * stats.f_frsize / GiB, 2),
            'free_capacity_gb': round(stats.f_bavail * stats.f_frsize / GiB, 2),
            'reserved_percentage': self._conf.reserved_percentage,
            # Two guests may share a raw volume (libvirt <shareable/>); two
            # QEMUs writing one qcow2 file's metadata would corrupt it.
            'multiattach': True,
            # Raw files are created sparse and qcow2 grows as written: both thin.
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'formats': list(driver.FORMATS),
            'default_format': self._conf.volume_format,
        }

    def create_volume(self, volume):
        def fill(temporary, fmt):
            self._qemu_img.create(temporary, fmt, _size_bytes(volume['size']))
        return self._create(volume, 'Creating', fill)

    def delete_volume(self, volume):
        with _storage_errors(f'Deleting volume {volume["id"]}'):
            layout.remove_file(self._layout.volume(volume['id']))

    def extend_volume(self, volume, new_size_gb):
        """Grow the file; see ``VolumeDriver.extend_volume``.

        A file no guest has open is resized with ``qemu-img resize``.  A
        running guest's QEMU holds a lock on its files, so qemu-img
        refuses them: a raw file is then grown with ``truncate``, which is
        safe because QEMU never looks past the size it read when it opened
        the file.  The guest therefore keeps seeing the old size until its
        QEMU is told (the compute host's ``block_resize`` on the
        ``volume-extended`` event) or reopens the file (the volume is
        detached and attached again, or the guest is stopped and
        started).  A qcow2 file's header belongs to the QEMU that has it
        open, so an open qcow2 volume is refused (``VolumeInUse``).
        """
        path, fmt = self._existing(volume)
        new_size = _size_bytes(new_size_gb)
        with _storage_errors(f'Extending volume {volume["id"]}'):
            current = self._qemu_img.virtual_size(path, fmt)
            if new_size < current:
                raise driver.VolumeTooSmall(f'Volume {volume["id"]} has {current} bytes; it '
                                            f'cannot shrink to {new_size_gb} GiB.')
            if new_size == current:
                return
            try:
                self._qemu_img.resize(path, fmt, new_size)
            except qemu_img.ImageLocked as exc:
                if fmt != 'raw':
                    raise driver.VolumeInUse(
                        f'Volume {volume["id"]} is a qcow2 file that a running guest has '
                        f'open; it can be extended once detached or while the guest is '
                        f'stopped.') from exc
                LOG.info('Volume %s is open by a guest; growing the raw file to %d bytes',
                         volume['id'], new_size)
                os.truncate(path, new_size)

    def create_snapshot(self, snapshot, volume):
        path = self._layout.snapshot(snapshot['id'])
        if snapshot.get('volume_id') != volume['id']:
            raise driver.InvalidResource(f'Snapshot {snapshot["id"]} is of volume '
                                         f'{snapshot.get("volume_id")}, not of volume '
                                         f'{volume["id"]}.')
        with _storage_errors(f'Creating snapshot {snapshot["id"]}'):
            if not os.path.exists(path):
                source, fmt = self._existing(volume)
                with self._layout.temporary(path) as temporary:
                    self._qemu_img.convert(source, fmt, temporary, SNAPSHOT_FORMAT,
                                           force_share=True)
                    layout.publish(temporary, path)
        return {'provider_location': path}

    def delete_snapshot(self, snapshot):
        with _storage_errors(f'Deleting snapshot {snapshot["id"]}'):
            layout.remove_file(self._layout.snapshot(snapshot['id']))

    def create_volume_from_snapshot(self, volume, snapshot):
        def fill(temporary, fmt):
            source = self._existing_snapshot(snapshot)
            self._check_fits(volume, self._qemu_img.virtual_size(source, SNAPSHOT_FORMAT),
                             f'snapshot {snapshot["id"]}')
            self._qemu_img.convert(source, SNAPSHOT_FORMAT, temporary, fmt)
        return self._create(volume, 'Creating', fill)

    def create_cloned_volume(self, volume, source_volume):
        def fill(temporary, fmt):
            source, source_fmt = self._existing(source_volume)
            self._check_fits(volume, self._qemu_img.virtual_size(source, source_fmt),
                             f'volume {source_volume["id"]}')
            self._qemu_img.convert(source, source_fmt, temporary, fmt, force_share=True)
        return self._create(volume, 'Cloning into', fill)

    def copy_image_to_volume(self, volume, image_path, disk_format):
        def fill(temporary, fmt):
            source_fmt = images.checked_source_format(image_path, disk_format, volume)
            self._qemu_img.convert(image_path, source_fmt, temporary, fmt)
        return self._create(volume, 'Copying an image into', fill)

    def copy_volume_to_image(self, volume, dest_path, disk_format):
        if disk_format not in driver.FORMATS:
            raise driver.InvalidResource(f'Volumes are uploaded as raw or qcow2 images, not '
                                         f'{disk_format!r}.')
        source, fmt = self._existing(volume)
        with _storage_errors(f'Copying volume {volume["id"]} to an image'):
            with self._layout.temporary(dest_path) as temporary:
                self._qemu_img.convert(source, fmt, temporary, disk_format, force_share=True)
                layout.replace(temporary, dest_path)

    def initialize_connection(self, volume, connector):
        """The file's path: every host reaches it through the shared ``volumes_dir``.

        ``connector`` is not needed: there is nothing to export to one host.
        """
        path, fmt = self._existing(volume)
        return {'driver_volume_type': DRIVER_VOLUME_TYPE,
                'data': {'device_path': path, 'format': fmt, 'name': os.path.basename(path)}}

    def terminate_connection(self, volume, connector):
        """Nothing to undo: no export, target or lock was made for the host.

        The compute host closes the file when it detaches the volume.
        """
        layout.checked_id(volume['id'], 'volume')

    def backup_volume(self, backup, volume, parent=None, snapshot=None):
        path = self._layout.backup(backup['id'])
        if backup.get('volume_id') != volume['id']:
            raise driver.InvalidResource(f'Backup {backup["id"]} is of volume '
                                         f'{backup.get("volume_id")}, not of volume '
                                         f'{volume["id"]}.')
        with _storage_errors(f'Backing up volume {volume["id"]}'):
            if os.path.exists(os.path.join(path, backups.MANIFEST)):
                manifest = backups.read_manifest(path, backup['id'])
            else:
                manifest = self._write_backup(backup, volume, parent, snapshot)
        return {'size': math.ceil(manifest.size / GiB), 'object_count': manifest.stored_here(),
                'provider_location': path}

    def restore_backup(self, backup, volume):
        path, fmt = self._existing(volume)
        with _storage_errors(f'Restoring backup {backup["id"]}'):
            manifest = backups.read_manifest(self._layout.backup(backup['id']), backup['id'])
            self._check_fits(volume, manifest.size, f'backup {backup["id"]}')
            with self._layout.temporary(path) as raw:
                backups.restore(manifest, self._layout.backup, raw)
                if fmt == 'raw':
                    self._grow(raw, fmt, volume)
                    layout.replace(raw, path)
                    return
                with self._layout.temporary(path) as converted:
                    self._qemu_img.convert(raw, 'raw', converted, fmt)
                    self._grow(converted, fmt, volume)
                    layout.replace(converted, path)

    def delete_backup(self, backup):
        path = self._layout.backup(backup['id'])
        with _storage_errors(f'Deleting backup {backup["id"]}'):
            # The manifest goes first: a backup half deleted is never taken for a whole one.
            layout.remove_file(os.path.join(path, backups.MANIFEST))
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(path)

    def _create(self, volume, what, fill):
        """Make a new volume with ``fill(temporary, fmt)``, grown to its size, then publish it.

        Nothing happens when the volume file exists: it is an earlier
        attempt's result, or data a user may have written since.
        """
        path = self._layout.volume(volume['id'])
        fmt = volume.get('format') or self._conf.volume_format
        _check_format(volume, fmt)
        _size_bytes(volume.get('size'))
        with _storage_errors(f'{what} volume {volume["id"]}'):
            if not os.path.exists(path):
                with self._layout.temporary(path) as temporary:
                    fill(temporary, fmt)
                    self._grow(temporary, fmt, volume)
                    layout.publish(temporary, path)
        return {'provider_location': path, 'format': fmt}

    def _grow(self, path, fmt, volume):
        """Resize the new file ``path`` up to the volume's size."""
        if self._qemu_img.virtual_size(path, fmt) < _size_bytes(volume['size']):
            self._qemu_img.resize(path, fmt, _size_bytes(volume['size']))

    def _write_backup(self, backup, volume, parent, snapshot):
        """Chunk the volume (or ``snapshot``) into a new backup directory; its manifest."""
        path = self._layout.backup(backup['id'])
        parent_manifest = None
        if parent is not None:
            parent_manifest = backups.read_manifest(self._layout.backup(parent['id']),
                                                    parent['id'])
            if parent_manifest.volume_id != volume['id']:
                raise driver.InvalidResource(f'Backup {parent["id"]} is of volume '
                                             f'{parent_manifest.volume_id}; it cannot be the '
                                             f'parent of a backup of volume {volume["id"]}.')
        if snapshot is not None:
            if snapshot.get('volume_id') != volume['id']:
                raise driver.InvalidResource(f'Snapshot {snapshot["id"]} is not of volume '
                                             f'{volume["id"]}.')
            source, fmt = self._existing_snapshot(snapshot), SNAPSHOT_FORMAT
        else:
            source, fmt = self._existing(volume)
        with self._layout.temporary(path) as temporary:
            os.mkdir(temporary, 0o700)
            with self._raw_view(source, fmt) as raw:
                manifest = backups.write(raw, temporary, (backup['id'], volume['id']),
                                         parent_manifest, self._conf.backup_chunk_size_mb * MiB)
            if not layout.publish_directory(temporary, path):
                manifest = backups.read_manifest(path, backup['id'])
        return manifest

    @contextlib.contextmanager
    def _raw_view(self, source, fmt):
        """A raw file with the guest-visible content of ``source``: itself, or a raw copy."""
        if fmt == 'raw':
            yield source
            return
        with self._layout.temporary(source) as raw:
            self._qemu_img.convert(source, fmt, raw, 'raw', force_share=True)
            yield raw

    def _existing(self, volume):
        """``(path, format)`` of an existing volume.

        :raises InvalidResource: bad id, or no known format.
        :raises VolumeNotFound: its file is missing.
        """
        path = self._layout.volume(volume['id'])
        _check_format(volume, volume.get('format'))
        if not os.path.isfile(path):
            raise driver.VolumeNotFound(volume['id'])
        return path, volume['format']

    def _existing_snapshot(self, snapshot):
        path = self._layout.snapshot(snapshot['id'])
        if not os.path.isfile(path):
            raise driver.SnapshotNotFound(snapshot['id'])
        return path

    @staticmethod
    def _check_fits(volume, data_size, what):
        if data_size > _size_bytes(volume['size']):
            raise driver.VolumeTooSmall(f'Volume {volume["id"]} of {volume["size"]} GiB is '
                                        f'smaller than {what} ({data_size} bytes).')


def _size_bytes(size_gb):
    """``size_gb`` GiB in bytes.  :raises InvalidResource: not a whole number above 0."""
    if not isinstance(size_gb, int) or isinstance(size_gb, bool) or size_gb < 1:
        raise driver.InvalidResource(f'A volume size must be a whole number of GiB, at least '
                                     f'1, not {size_gb!r}.')
    return size_gb * GiB


def _check_format(volume, fmt):
    if fmt not in driver.FORMATS:
        raise driver.InvalidResource(f'Volume {volume.get("id")} has format {fmt!r}; this '
                                     f'backend stores raw or qcow2 files.')


@contextlib.contextmanager
def _storage_errors(what):
    """Turn a failed file operation into a ``DriverError`` that says what was being done."""
    try:
        yield
    except OSError as exc:
        where = f' ({exc.filename})' if exc.filename else ''
        raise driver.DriverError(f'{what} failed: {exc.strerror or exc}{where}.') from exc
