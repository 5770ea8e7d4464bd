"""The client side of the volume RPC APIs: the only way in over RabbitMQ.

``ConductorAPI`` (topic ``volume.conductor``, served by every volume
conductor; a message goes to one of them) is used by the volume API for
the long work it starts: the API checks the request, stores the volume
with its transitional status (``creating``, ``deleting``, ``extending``)
and casts; the conductor schedules a backend, has that backend's agent do
the work and records the outcome.  Arguments are plain JSON dicts and
strings.

The agents use it too: each backend's agent reports itself every
``report_interval`` (``report_state``) and reports the end of each
operation it was asked for (``volume_done``).  ``AgentAPI`` (topic
``volume.agent``, server ``<host>@<backend>``) is the conductor's way to
one backend's agent.

Version history of the conductor API:
    1.0 - create_volume, delete_volume, extend_volume
    1.1 - report_state, volume_done (from the agents)
    1.2 - create_snapshot, delete_snapshot, create_backup, restore_backup,
          delete_backup; snapshot_done, backup_done (from the agents)
    1.3 - upload_image; volume_done reports UPLOAD_IMAGE too

Version history of the agent API:
    1.0 - create_volume, delete_volume, extend_volume
    1.1 - create_snapshot, delete_snapshot, create_backup, restore_backup,
          delete_backup
    1.2 - initialize_connection, terminate_connection (calls, from the volume API)
    1.3 - create_volume takes ``image``; copy_volume_to_image
"""
from typing import TypedDict

import oslo_messaging as messaging

from common import rpc

CONDUCTOR_TOPIC = 'volume.conductor'
CONDUCTOR_VERSION = '1.3'
# Each backend's agent serves ``volume.agent`` with server ``<host>@<backend>``.
AGENT_TOPIC = 'volume.agent'
AGENT_VERSION = '1.3'

# The operations whose end an agent reports with ``volume_done``.
CREATE = 'create'
DELETE = 'delete'
EXTEND = 'extend'
# The upload of a volume into an image (os-volume_upload_image), from 1.3.
UPLOAD_IMAGE = 'upload_image'
ACTIONS = (CREATE, DELETE, EXTEND, UPLOAD_IMAGE)
# The operations whose end an agent reports with ``snapshot_done``/``backup_done``.
SNAPSHOT_ACTIONS = (CREATE, DELETE)
RESTORE = 'restore'
BACKUP_ACTIONS = (CREATE, RESTORE, DELETE)

# What a ``call`` raises when nobody answered in time.
Timeout = messaging.MessagingTimeout


class VolumeTypeSpec(TypedDict):
    """The volume type of a request, as the scheduler needs it."""
    id: str
    name: str
    extra_specs: dict  # all of them, e.g. {"volume_backend_name": "file-1"}


class RequestSpec(TypedDict):
    """What ``create_volume`` is asked to make (the volume's row holds it too).

    Exactly one of ``snapshot_id``, ``source_volid`` and ``image_id`` is set
    when the volume is made from something, none for a blank volume.  The
    scheduler keeps to ``availability_zone``, to the type's
    ``volume_backend_name`` when it has one, and to ``backend_host`` (the
    ``<host>@<backend>`` holding the snapshot or source volume, which a
    file backend must copy from) when it is set.
    """
    volume_id: str
    project_id: str
    size: int  # GiB
    availability_zone: str
    volume_type: VolumeTypeSpec
    multiattach: bool
    snapshot_id: str | None
    source_volid: str | None
    image_id: str | None
    backend_host: str | None


class BackendState(TypedDict):
    """What a backend's agent reports of itself every ``report_interval``.

    :ivar host: ``<host>@<backend>``, the agent's RPC server name and the
        ``host`` of its service record.
    :ivar capabilities: the driver's ``capabilities()`` (``volume_backend_name``,
        ``total_capacity_gb``, ``free_capacity_gb``, ``reserved_percentage``,
        ``multiattach`` …), or ``None`` when the backend could not be read
        (the scheduler then places nothing there).
    """
    host: str
    availability_zone: str
    capabilities: dict | None


class SourceImage(TypedDict):
    """The image a volume is made from (1.3).  Its data and ``disk_format`` are read
    by the agent from the image service at download time, as the user."""
    id: str


class UploadTarget(TypedDict):
    """The queued image the API created for os-volume_upload_image (1.3)."""
    id: str
    disk_format: str  # raw or qcow2: what the volume is converted to


class ConnectionResult(TypedDict):
    """What an agent answers to ``initialize_connection``/``terminate_connection`` (1.2).

    :ivar connection_info: the driver's ``ConnectionInfo`` (``None`` for a
        terminate, or on failure).
    :ivar error: on failure, the driver's message (or a general one); else ``None``.
    """
    connection_info: dict | None
    error: str | None


class ConductorAPI:

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, CONDUCTOR_TOPIC, CONDUCTOR_VERSION,
                                      timeout=conf.rpc_response_timeout)

    # --- from the API --------------------------------------------------------

    def create_volume(self, ctx, volume_id, request_spec):
        """Make the volume ``volume_id`` the API stored (status ``creating``):
        schedule a backend for ``request_spec`` (a ``RequestSpec``) and have it
        create the volume; the volume ends ``available`` or ``error``.

        The API deletes at once a volume that has no ``host`` yet, so the
        conductor must record its choice of backend with a conditional
        UPDATE (``host IS NULL``, not deleted) and give up when that fails.
        """
        self._client.prepare().cast(ctx, 'create_volume', volume_id=volume_id,
                                    request_spec=dict(request_spec))

    def delete_volume(self, ctx, volume_id, cascade=False):
        """Remove the volume ``volume_id`` from its backend (status ``deleting``)
        and mark it deleted; ``error_deleting`` when the backend fails.

        :param cascade: its snapshots (status ``deleting`` too) go first.
        """
        self._client.prepare().cast(ctx, 'delete_volume', volume_id=volume_id,
                                    cascade=cascade)

    def extend_volume(self, ctx, volume_id, new_size):
        """Grow the volume ``volume_id`` (status ``extending``) to ``new_size`` GiB;
        it goes back to its ``previous_status`` with the new size, or to
        ``error_extending`` with the old one; either way ``requested_size``
        is cleared (the API took the quota through it)."""
        self._client.prepare().cast(ctx, 'extend_volume', volume_id=volume_id,
                                    new_size=new_size)

    # --- from the agents -----------------------------------------------------

    def report_state(self, ctx, backend_state):
        """Record the backend ``backend_state`` (a ``BackendState``) alive now, with its
        capabilities, as a ``cinder-volume`` service."""
        self._client.prepare(version='1.1').cast(ctx, 'report_state',
                                                 backend_state=dict(backend_state))

    def volume_done(self, ctx, volume_id, action, host, values=None, error=None):
        """The agent of ``host`` finished ``action`` (``CREATE``, ``DELETE``,
        ``EXTEND`` or, from 1.3, ``UPLOAD_IMAGE``) on the volume ``volume_id``.

        :param values: on success, what the backend made: for ``CREATE`` the
            driver's ``ModelUpdate`` (``provider_location``, ``format``), for
            ``EXTEND`` ``{"size": <new size>}``, for ``UPLOAD_IMAGE``
            ``{"image_id": …}``.
        :param error: on failure, the driver's message (``values`` is then None).
        """
        self._client.prepare(version='1.1').cast(ctx, 'volume_done', volume_id=volume_id,
                                                 action=action, host=host, values=values,
                                                 error=error)

    # --- snapshots and backups (1.2) ------------------------------------------

    def create_snapshot(self, ctx, snapshot_id):
        """Have the backend of its volume take the snapshot ``snapshot_id`` (status
        ``creating``); it ends ``available`` or ``error``."""
        self._client.prepare(version='1.2').cast(ctx, 'create_snapshot',
                                                 snapshot_id=snapshot_id)

    def delete_snapshot(self, ctx, snapshot_id):
        """Remove the snapshot ``snapshot_id`` (status ``deleting``) from its backend;
        it ends deleted, or ``error_deleting``."""
        self._client.prepare(version='1.2').cast(ctx, 'delete_snapshot',
                                                 snapshot_id=snapshot_id)

    def create_backup(self, ctx, backup_id):
        """Copy the volume of the backup ``backup_id`` (status ``creating``, its volume
        ``backing-up``) into the backup directory; the backup ends ``available`` or
        ``error``, the volume back in its ``previous_status``."""
        self._client.prepare(version='1.2').cast(ctx, 'create_backup', backup_id=backup_id)

    def restore_backup(self, ctx, backup_id, volume_id):
        """Write the backup ``backup_id`` (status ``restoring``) onto the volume
        ``volume_id``: an existing one (``restoring-backup``) or one the API stored for
        the restore (``creating``, no host yet: it is scheduled first).  The volume
        ends ``available`` (or ``error_restoring``), the backup ``available``."""
        self._client.prepare(version='1.2').cast(ctx, 'restore_backup', backup_id=backup_id,
                                                 volume_id=volume_id)

    def delete_backup(self, ctx, backup_id):
        """Remove the backup ``backup_id`` (status ``deleting``); it ends deleted, or
        ``error_deleting``."""
        self._client.prepare(version='1.2').cast(ctx, 'delete_backup', backup_id=backup_id)

    def snapshot_done(self, ctx, snapshot_id, action, host, values=None, error=None):
        """The agent of ``host`` finished ``action`` (``CREATE`` or ``DELETE``) on the
        snapshot ``snapshot_id``.

        :param values: for ``CREATE``, the driver's ``SnapshotUpdate``.
        :param error: on failure, the driver's message.
        """
        self._client.prepare(version='1.2').cast(ctx, 'snapshot_done',
                                                 snapshot_id=snapshot_id, action=action,
                                                 host=host, values=values, error=error)

    def backup_done(self, ctx, backup_id, action, host, values=None, error=None):
        """The agent of ``host`` finished ``action`` (``CREATE``, ``RESTORE`` or
        ``DELETE``) on the backup ``backup_id``.

        :param values: for ``CREATE`` the driver's ``BackupResult``; for
            ``RESTORE`` the restored volume's ``volume_id`` and, when the agent
            created it, its ``ModelUpdate`` (``provider_location``, ``format``).
        :param error: on failure, the driver's message.
        """
        self._client.prepare(version='1.2').cast(ctx, 'backup_done', backup_id=backup_id,
                                                 action=action, host=host, values=values,
                                                 error=error)

    # --- images (1.3) ----------------------------------------------------------

    def upload_image(self, ctx, volume_id, image):
        """Copy the volume ``volume_id`` (status ``uploading``) into the queued image
        ``image`` (an ``UploadTarget``) as the user of ``ctx``; the volume goes back to
        its ``previous_status`` either way, and the image is deleted on failure."""
        self._client.prepare(version='1.3').cast(ctx, 'upload_image', volume_id=volume_id,
                                                 image=dict(image))


class AgentAPI:
    """The conductor's casts to one backend's agent, and the volume API's connection
    calls (1.2); volumes as the driver's ``Volume`` dicts (``id``, ``size``, ``format``,
    ``provider_location``)."""

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, AGENT_TOPIC, AGENT_VERSION)

    def _cast(self, ctx, backend, method, **kwargs):
        self._client.prepare(server=backend, version='1.0').cast(ctx, method, **kwargs)

    def create_volume(self, ctx, backend, volume, snapshot=None, source_volume=None,
                      image=None):
        """Create ``volume`` on ``backend`` (``<host>@<backend>``): blank, or from the
        driver ``Snapshot`` ``snapshot``, the ``Volume`` ``source_volume`` or (1.3) the
        ``SourceImage`` ``image``, whose data the agent downloads as the user of ``ctx``."""
        kwargs = {'volume': dict(volume), 'snapshot': dict(snapshot) if snapshot else None,
                  'source_volume': dict(source_volume) if source_volume else None}
        if image is None:
            self._cast(ctx, backend, 'create_volume', **kwargs)
            return
        self._client.prepare(server=backend, version='1.3').cast(
            ctx, 'create_volume', image=dict(image), **kwargs)

    def delete_volume(self, ctx, backend, volume, snapshots=()):
        """Remove ``snapshots`` (driver ``Snapshot`` dicts), then ``volume``."""
        self._cast(ctx, backend, 'delete_volume', volume=dict(volume),
                   snapshots=[dict(s) for s in snapshots])

    def extend_volume(self, ctx, backend, volume, new_size):
        self._cast(ctx, backend, 'extend_volume', volume=dict(volume), new_size=new_size)

    # --- snapshots and backups (1.1) ------------------------------------------

    def _cast_1_1(self, ctx, backend, method, **kwargs):
        self._client.prepare(server=backend, version='1.1').cast(ctx, method, **kwargs)

    def create_snapshot(self, ctx, backend, snapshot, volume):
        """Take the driver ``Snapshot`` ``snapshot`` of ``volume``."""
        self._cast_1_1(ctx, backend, 'create_snapshot', snapshot=dict(snapshot),
                       volume=dict(volume))

    def delete_snapshot(self, ctx, backend, snapshot):
        self._cast_1_1(ctx, backend, 'delete_snapshot', snapshot=dict(snapshot))

    def create_backup(self, ctx, backend, backup, volume, parent=None):
        """Back ``volume`` up into the driver ``Backup`` ``backup``; an increment of
        ``parent`` when given."""
        self._cast_1_1(ctx, backend, 'create_backup', backup=dict(backup), volume=dict(volume),
                       parent=dict(parent) if parent else None)

    def restore_backup(self, ctx, backend, backup, volume, create=False):
        """Write ``backup`` onto ``volume``, creating the volume first with ``create``."""
        self._cast_1_1(ctx, backend, 'restore_backup', backup=dict(backup), volume=dict(volume),
                       create=create)

    def delete_backup(self, ctx, backend, backup):
        self._cast_1_1(ctx, backend, 'delete_backup', backup=dict(backup))

    # --- connections (1.2): calls from the volume API -------------------------

    def initialize_connection(self, ctx, backend, volume, connector):
        """How the host described by ``connector`` reaches the driver ``Volume`` ``volume``
        on ``backend``: the agent's ``ConnectionResult``, waited for.

        :raises Timeout: the agent did not answer within ``rpc_response_timeout``.
        """
        return self._client.prepare(server=backend, version='1.2').call(
            ctx, 'initialize_connection', volume=dict(volume), connector=dict(connector))

    def terminate_connection(self, ctx, backend, volume, connector):
        """Undo ``initialize_connection`` for that host; a ``ConnectionResult``.

        :raises Timeout: the agent did not answer within ``rpc_response_timeout``.
        """
        return self._client.prepare(server=backend, version='1.2').call(
            ctx, 'terminate_connection', volume=dict(volume), connector=dict(connector))

    # --- images (1.3) ---------------------------------------------------------

    def copy_volume_to_image(self, ctx, backend, volume, image):
        """Convert ``volume`` to ``image['disk_format']`` and upload it into the queued
        ``UploadTarget`` ``image`` as the user of ``ctx``; reported with ``volume_done``
        (``UPLOAD_IMAGE``)."""
        self._client.prepare(server=backend, version='1.3').cast(
            ctx, 'copy_volume_to_image', volume=dict(volume), image=dict(image))
