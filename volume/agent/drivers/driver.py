"""The contract between a volume agent and its storage backend: ``VolumeDriver``.

An agent owns one driver, for the one backend it serves, and touches the
storage through nothing else.  Every method states what holds when it
returns and what it raises.  Methods that create something succeed
without change when it already exists, and methods that remove something
succeed when it is already gone, so that an agent can repeat an operation
after a crash or a lost reply (the conductor retries, Cinder-style).

Arguments and results are plain JSON-serialisable dicts whose shapes are
the ``TypedDict`` classes below; agents have no database (ARCHITECTURE
§3), so everything the driver needs to know about a resource is in them.
A failure raises a :class:`DriverError` subclass whose message says what
went wrong in words an operator (and, as the resource's fault, a user)
can act on.

Drivers are chosen by ``[backend] volume_driver`` and loaded with
:func:`load_driver`.
"""
import abc
import importlib
from typing import NotRequired, TypedDict

DRIVERS = {'file': 'volume.agent.drivers.file:FileDriver'}
FORMATS = ('raw', 'qcow2')


class Volume(TypedDict):
    """A volume as the conductor sends it.

    :ivar format: ``raw`` or ``qcow2``.  Optional only when the volume is
        being created: the backend's ``volume_format`` is used then, and
        returned in the result so that the conductor records it.
    :ivar provider_location: what ``create_*`` returned; informational,
        the driver derives the location from the id.
    """
    id: str
    size: int
    format: NotRequired[str]
    provider_location: NotRequired[str | None]


class Snapshot(TypedDict):
    id: str
    volume_id: str
    volume_size: int
    provider_location: NotRequired[str | None]


class Backup(TypedDict):
    """A backup; ``parent`` is the backup it is an increment of (``None``: full).

    The driver does not follow ``parent``: ``backup_volume`` takes the
    parent as an argument, and every manifest names the backup holding
    each of its chunks, so a restore needs no chain.
    """
    id: str
    volume_id: str
    parent: NotRequired['Backup | None']
    provider_location: NotRequired[str | None]


class ModelUpdate(TypedDict):
    """What a ``create_*`` method returns, for the conductor to store on the volume."""
    provider_location: str
    format: str


class SnapshotUpdate(TypedDict):
    provider_location: str


class BackupResult(TypedDict):
    """What ``backup_volume`` returns.

    :ivar size: the size of the volume backed up, in GiB.
    :ivar object_count: the chunks this backup stored itself (an
        incremental backup refers to its parents' other chunks).
    """
    size: int
    object_count: int
    provider_location: str


class ConnectionData(TypedDict):
    device_path: str
    format: str
    name: str


class ConnectionInfo(TypedDict):
    """Cinder's ``connection_info``, as the compute agent attaches it."""
    driver_volume_type: str
    data: ConnectionData


class DriverError(Exception):
    """An operation failed on the backend; the message says why, for the resource's fault."""


class InvalidResource(DriverError):
    """A payload the driver must not act on: an id that is not a UUID, a bad size or format.

    Ids become file names, so an id that is not a UUID is refused before
    any path is built from it.
    """


class VolumeNotFound(DriverError):
    def __init__(self, volume_id):
        super().__init__(f'Volume {volume_id} does not exist on this backend.')


class SnapshotNotFound(DriverError):
    def __init__(self, snapshot_id):
        super().__init__(f'Snapshot {snapshot_id} does not exist on this backend.')


class BackupNotFound(DriverError):
    def __init__(self, backup_id):
        super().__init__(f'Backup {backup_id} does not exist in the backup directory.')


class VolumeTooSmall(DriverError):
    """The data (an image, a snapshot, a source volume, a backup) does not fit the volume."""


class VolumeInUse(DriverError):
    """The operation needs the volume's file closed, and a running guest holds it open."""


class ImageUnacceptable(DriverError):
    """An image to copy into a volume was refused by the inspection."""


class BackupCorrupt(DriverError):
    """A backup's data does not match its manifest (a chunk is missing or altered)."""


class CommandFailed(DriverError):
    """A storage tool exited with an error; the message quotes it."""


class CommandTimedOut(CommandFailed):
    """A storage tool ran longer than it is allowed to and was stopped."""


class VolumeDriver(abc.ABC):
    """One storage backend.

    Sizes in payloads are GiB, as in the Block Storage API.
    """

    @abc.abstractmethod
    def setup(self):
        """Make the backend usable; the agent calls it once at start.

        Creates the directories it needs and removes what an earlier run
        of this agent left half-done (never another host's work in
        progress on shared storage).

        :raises DriverError: the backend cannot be used (a tool is missing,
            a directory cannot be made); the agent must not start.
        """

    @abc.abstractmethod
    def capabilities(self):
        """What the scheduler needs to know about this backend, now.

        :returns: a dict with at least ``volume_backend_name``, ``driver``,
            ``storage_protocol``, ``total_capacity_gb``,
            ``free_capacity_gb``, ``reserved_percentage``, ``multiattach``,
            ``thin_provisioning_support``, ``thick_provisioning_support``,
            ``formats`` and ``default_format``.
        """

    @abc.abstractmethod
    def create_volume(self, volume):
        """Create an empty volume of ``volume['size']`` GiB.

        Postcondition: the volume exists, reads as zeros.  Idempotent: an
        existing volume is left as it is.  On failure nothing is left.

        :returns: a :class:`ModelUpdate`.
        :raises InvalidResource: bad id, size or format.
        """

    @abc.abstractmethod
    def delete_volume(self, volume):
        """Remove the volume and its data.  Succeeds when it is already gone."""

    @abc.abstractmethod
    def extend_volume(self, volume, new_size_gb):
        """Grow the volume to ``new_size_gb`` GiB, keeping its data.

        Idempotent: a volume already of that size is left alone.

        :raises VolumeNotFound: no such volume.
        :raises VolumeTooSmall: the volume is already larger (volumes never
            shrink).
        :raises VolumeInUse: the backend cannot grow this volume while a
            guest has it open.
        """

    @abc.abstractmethod
    def create_snapshot(self, snapshot, volume):
        """Copy the volume's data as it is now into the snapshot.

        Idempotent: an existing snapshot is left as it is.  On failure
        nothing is left.

        :returns: a :class:`SnapshotUpdate`.
        :raises VolumeNotFound: no such volume.
        """

    @abc.abstractmethod
    def delete_snapshot(self, snapshot):
        """Remove the snapshot.  Succeeds when it is already gone."""

    @abc.abstractmethod
    def create_volume_from_snapshot(self, volume, snapshot):
        """Create a volume holding the snapshot's data, grown to the volume's size.

        Idempotent as ``create_volume``.

        :returns: a :class:`ModelUpdate`.
        :raises SnapshotNotFound: no such snapshot.
        :raises VolumeTooSmall: the volume is smaller than the snapshot.
        """

    @abc.abstractmethod
    def create_cloned_volume(self, volume, source_volume):
        """Create a volume holding a copy of ``source_volume``, grown to the volume's size.

        Idempotent as ``create_volume``.

        :returns: a :class:`ModelUpdate`.
        :raises VolumeNotFound: no such source volume.
        :raises VolumeTooSmall: the volume is smaller than the source.
        """

    @abc.abstractmethod
    def copy_image_to_volume(self, volume, image_path, disk_format):
        """Create the volume from the image data at ``image_path``.

        The image is inspected before any tool reads it; idempotent as
        ``create_volume``.

        :param image_path: the image data, downloaded by the agent (which
            removes it afterwards).
        :param disk_format: the image's ``disk_format`` in the image service.
        :returns: a :class:`ModelUpdate`.
        :raises ImageUnacceptable: the data is not an image this cloud
            accepts, or not of ``disk_format``.
        :raises VolumeTooSmall: the image's virtual size exceeds the volume.
        """

    @abc.abstractmethod
    def copy_volume_to_image(self, volume, dest_path, disk_format):
        """Write the volume's data to ``dest_path`` as a ``disk_format`` image, for upload.

        ``dest_path`` appears complete or not at all; an existing file
        there is replaced.

        :raises VolumeNotFound: no such volume.
        :raises InvalidResource: a ``disk_format`` this backend cannot write.
        """

    @abc.abstractmethod
    def initialize_connection(self, volume, connector):
        """How the host described by ``connector`` reaches the volume.

        :param connector: the compute host's connector (``host``,
            ``initiator`` …), as Cinder's os-initialize_connection takes it.
        :returns: a :class:`ConnectionInfo`.
        :raises VolumeNotFound: no such volume.
        """

    @abc.abstractmethod
    def terminate_connection(self, volume, connector):
        """Undo ``initialize_connection`` for that host.  Succeeds when nothing is left to undo."""

    @abc.abstractmethod
    def backup_volume(self, backup, volume, parent=None, snapshot=None):
        """Copy the volume's data into the backup.

        :param parent: the backup this one is an increment of, or ``None``
            for a full backup.  Only the data that differs from the parent
            is stored.
        :param snapshot: read the data from this snapshot of the volume
            instead of the volume itself (a backup of an in-use volume at
            one point in time, or Cinder's backup from a snapshot).
        :returns: a :class:`BackupResult`.  Idempotent: a finished backup
            is left as it is and described again.  On failure nothing is
            left.
        :raises VolumeNotFound: no such volume (or ``SnapshotNotFound``).
        :raises BackupNotFound: ``parent`` does not exist.
        """

    @abc.abstractmethod
    def restore_backup(self, backup, volume):
        """Replace the volume's data with the backup's, in the volume's format.

        The volume must be detached (the API guarantees it).  Its data is
        replaced at once and only once all of the backup was read and
        verified; on failure the volume is unchanged.

        :raises BackupNotFound: no such backup.
        :raises BackupCorrupt: a chunk is missing or does not match the
            manifest (for example a parent was removed behind the API).
        :raises VolumeTooSmall: the volume is smaller than the backup.
        """

    @abc.abstractmethod
    def delete_backup(self, backup):
        """Remove what this backup stored itself.  Succeeds when it is already gone.

        Backups that name it as parent refer to its chunks: the API deletes
        them first.
        """


def load_driver(name, conf, host):
    """The driver ``[backend] volume_driver = name`` for the agent on ``host``.

    :raises ValueError: unknown name, or a class that is not a ``VolumeDriver``.
    """
    if name not in DRIVERS:
        raise ValueError(f'[backend] volume_driver = {name!r} is not available; this build '
                         f'has {sorted(DRIVERS)}.')
    module_name, _, class_name = DRIVERS[name].partition(':')
    cls = getattr(importlib.import_module(module_name), class_name)
    driver = cls(conf, host)
    if not isinstance(driver, VolumeDriver):
        raise ValueError(f'[backend] volume_driver = {name!r} loads {cls!r}, which is not a '
                         f'VolumeDriver.')
    return driver
