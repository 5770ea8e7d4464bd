"""The volume service as compute sees it: volumes, and the attachments that tie them
to servers (Cinder v3's attachments API, as Nova uses it since Queens).

Compute asks the volume service through its public API as the user of the
request (``common.clients.user_connection``, the SDK's ``conn.block_storage``),
so a volume the user may not see cannot be attached: the volume service
answers 404 and so does compute.  The life of an attachment::

    reserve (API, no connector: the volume is ``reserved``)
      -> connect (conductor, the host's connector: ``connection_info``)
      -> the agent plugs the volume into the guest
      -> complete (the volume is ``in-use``)
    release (detach, server delete, or any failure above: ``available`` again)

Compute keeps the attachment's id and its ``connection_info``
(``block_device_mappings``), as Nova does, so that a rebuild or a resize
builds the guest again with its volumes.

A server create is checked here first (``check_mappings``, Nova's
``_validate_bdm``): volumes and snapshots the user cannot see, and volumes
that cannot be attached, are refused (400) before anything is stored.
"""
import logging

from keystoneauth1 import exceptions as ks_exc
from oslo_utils import strutils

from common import clients
from common import exceptions
from compute import block_device
from stratus import exceptions as sdk_exceptions
from stratus.block_storage import exceptions as block_exceptions

LOG = logging.getLogger(__name__)


class VolumeNotFound(exceptions.NotFound):
    msg_fmt = 'Volume %(volume_id)s could not be found.'


class SnapshotNotFound(exceptions.NotFound):
    msg_fmt = 'Snapshot %(snapshot_id)s could not be found.'


class InvalidVolume(exceptions.BadRequest):
    msg_fmt = 'Invalid volume: %(reason)s'


class VolumeNotBootable(exceptions.BadRequest):
    msg_fmt = 'Block Device %(id)s is not bootable.'


class VolumeServiceUnavailable(exceptions.ServiceUnavailable):
    msg_fmt = 'The volume service is unavailable: %(reason)s'


def connector(host, mountpoint=None):
    """What a host says of itself to the volume service (Cinder's connector).

    The file volumes of this cloud need no initiator: every host mounts the
    volume directory, so the connector only names the host.  As Nova's, it
    carries the guest device the volume gets (``/dev/vdb``), which the
    volume service shows as the attachment's ``device``.
    """
    found = {'host': host, 'initiator': None, 'ip': None, 'multipath': False,
             'platform': 'x86_64', 'os_type': 'linux'}
    if mountpoint:
        found['mountpoint'] = mountpoint
    return found


def _translated(call, volume_id=None):
    """Run ``call()``, turning the SDK's errors into compute's (4xx, never 500)."""
    try:
        return call()
    except sdk_exceptions.NotFound:
        if volume_id is None:
            raise
        raise VolumeNotFound(volume_id=volume_id) from None
    except (sdk_exceptions.BadRequest, sdk_exceptions.Conflict,
            block_exceptions.ResourceFailed, block_exceptions.WaitTimeout) as exc:
        raise InvalidVolume(reason=exc.message) from None
    except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
        # No token for the service itself, no endpoint, no answer.
        raise VolumeServiceUnavailable(reason=str(exc)) from None


class VolumeClient:
    """Cinder v3 calls made for the user of a request context.

    :param conf: the compute service's options.
    :param connect: ``connect(conf, ctx)`` returning a ``stratus.Connection``
        that acts for the user of ``ctx`` (tests give one whose
        ``block_storage`` is a stand-in).
    """

    def __init__(self, conf, connect=clients.user_connection):
        self._conf = conf
        self._connect = connect

    def _storage(self, ctx):
        return self._connect(self._conf, ctx).block_storage

    def get(self, ctx, volume_id):
        """The volume as the volume service shows it to the user (a dict).

        :raises VolumeNotFound: no such volume, or the user may not see it.
        :raises VolumeServiceUnavailable: the volume service could not answer.
        """
        return dict(_translated(lambda: self._storage(ctx).get_volume(volume_id), volume_id))

    def get_snapshot(self, ctx, snapshot_id):
        """The snapshot as the volume service shows it to the user (a dict).

        :raises SnapshotNotFound: no such snapshot, or the user may not see it.
        :raises VolumeServiceUnavailable: the volume service could not answer.
        """
        try:
            snapshot = _translated(lambda: self._storage(ctx).get_snapshot(snapshot_id))
        except sdk_exceptions.NotFound:
            raise SnapshotNotFound(snapshot_id=snapshot_id) from None
        return dict(snapshot)

    def reserve(self, ctx, volume_id, instance_uuid):
        """Reserve the volume for the server; :returns: the attachment's id.

        :raises VolumeNotFound: the volume is gone.
        :raises InvalidVolume: the volume service refused (the volume is not
            ``available``, or is attached elsewhere and not multiattach).
        """
        attachment = _translated(lambda: self._storage(ctx).create_attachment(
            volume_id, instance=instance_uuid), volume_id)
        return attachment['id']

    def connect(self, ctx, attachment_id, host, mountpoint=None):
        """Give the volume service ``host``'s connector (with the guest device
        ``mountpoint``, when known); :returns: ``connection_info``.

        :raises InvalidVolume: the volume service refused the connector.
        :raises VolumeServiceUnavailable: it could not answer (or the
            attachment is gone: a detach or a delete won).
        """
        attachment = _translated(lambda: self._storage(ctx).update_attachment(
            attachment_id, connector(host, mountpoint)))
        info = attachment.get('connection_info')
        if not info:
            raise InvalidVolume(reason=f'attachment {attachment_id} has no connection_info')
        return info

    def complete(self, ctx, attachment_id):
        """The volume is plugged in: it becomes ``in-use``."""
        _translated(lambda: self._storage(ctx).complete_attachment(attachment_id))

    def release(self, ctx, attachment_id):
        """Delete the attachment (an attachment already gone is fine).

        :raises VolumeServiceUnavailable, InvalidVolume: it could not be deleted.
        """
        _translated(lambda: self._storage(ctx).delete_attachment(attachment_id,
                                                                 ignore_missing=True))

    def create(self, ctx, size, *, name, image_id=None, snapshot_id=None):
        """Ask for a volume of ``size`` GiB, holding image ``image_id`` or a copy of
        snapshot ``snapshot_id`` if given (blank otherwise); :returns: its id (it is
        ``creating``: see ``wait_available``).

        :raises InvalidVolume: the volume service refused (quota, bad image).
        """
        source = {'snapshot_id': snapshot_id} if snapshot_id else {}
        volume = _translated(lambda: self._storage(ctx).create_volume(
            size, name=name, image_id=image_id, **source))
        return volume['id']

    def wait_available(self, ctx, volume_id, timeout):
        """Wait until the volume is ``available``.

        :raises InvalidVolume: it went to an error status, or ``timeout``
            seconds passed first.
        """
        _translated(lambda: self._storage(ctx).wait_for_status(
            volume_id, 'available', wait=timeout), volume_id)

    def delete(self, ctx, volume_id):
        """Delete a volume (a volume already gone is fine)."""
        _translated(lambda: self._storage(ctx).delete_volume(volume_id, ignore_missing=True))


def give_back(client, ctx, instance_uuid, mappings):
    """Delete the attachments of a server that is going, and the volumes it takes with
    it (``delete_on_termination``), as Nova does at a delete.

    Best effort, as in Nova: a volume the volume service cannot release is
    logged and left to an operator; it does not keep the server alive.

    :param mappings: ``[(volume_id, attachment_id, delete_on_termination)]``
        (``compute.db.api.volume_mappings``).
    """
    for volume_id, attachment_id, delete_on_termination in mappings:
        try:
            if attachment_id:
                client.release(ctx, attachment_id)
            if delete_on_termination:
                client.delete(ctx, volume_id)
        except Exception:  # logged; the next volume is still given back
            LOG.exception('Could not give back volume %s of server %s', volume_id,
                          instance_uuid)


def _check_volume(client, ctx, mapping, count):
    """The volume of ``mapping`` can be given to ``count`` new servers (Nova's checks and
    messages); the mapping takes the volume's size, as Nova records it."""
    try:
        volume = client.get(ctx, mapping.uuid)
    except VolumeNotFound:
        raise block_device.InvalidBDM(details=f'failed to get volume {mapping.uuid}.') \
            from None
    if mapping.boot_index == 0 and not strutils.bool_from_string(
            volume.get('bootable', True), default=True):
        raise VolumeNotBootable(id=mapping.uuid)
    status, multiattach = volume.get('status'), bool(volume.get('multiattach'))
    if status != 'available' and not (multiattach and status == 'in-use'):
        raise InvalidVolume(reason=f"volume '{mapping.uuid}' status must be 'available'. "
                                   f"Currently in '{status}'")
    if count > 1 and not multiattach:
        raise InvalidVolume(reason=f"volume '{mapping.uuid}' cannot be attached to "
                                   f'{count} servers: it is not multiattach')
    mapping.volume_size = volume.get('size')
    return volume


def check_mappings(client, ctx, mappings, count):
    """Check a create's volumes and snapshots with the volume service, as the user.

    As Nova's ``_validate_bdm``: each volume must exist for the user, be
    ``available`` (``in-use`` will do for a multiattach one) and, as the
    root disk, bootable; each snapshot must exist for the user, and a
    mapping that gives no ``volume_size`` takes the snapshot's.

    :param mappings: the request's ``block_device.Mapping`` list (changed in place).
    :param count: how many servers the request may make (``max_count``).
    :returns: the boot volume (a dict) when the root disk is an existing volume,
        else ``None``.
    :raises InvalidBDM: a volume or snapshot the user cannot get (400).
    :raises VolumeNotBootable, InvalidVolume: a volume that cannot be used (400).
    :raises VolumeServiceUnavailable: the volume service did not answer (503).
    """
    root = None
    for mapping in mappings:
        if mapping.destination_type != 'volume':
            continue
        if mapping.source_type == 'volume':
            volume = _check_volume(client, ctx, mapping, count)
            if mapping.boot_index == 0:
                root = volume
        elif mapping.source_type == 'snapshot':
            try:
                snapshot = client.get_snapshot(ctx, mapping.uuid)
            except SnapshotNotFound:
                raise block_device.InvalidBDM(
                    details=f'failed to get snapshot {mapping.uuid}.') from None
            mapping.volume_size = mapping.volume_size or snapshot.get('size')
    return root
