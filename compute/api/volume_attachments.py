"""``/v2.1/servers/{id}/os-volume_attachments``: attach, list, show and detach volumes.

An attach, as Nova's with Cinder's attachments API:

1. find the server (404 for another project's) and check policy, the lock
   and the state (409 with Nova's message);
2. ask the volume service, as the user, for the volume (404 when the user
   cannot see it) and reserve it for the server: an attachment without a
   connector (400 when the volume service refuses, e.g. the volume is in
   use);
3. in one transaction, with the server row locked, check again that it may
   take the volume, store the ``BlockDeviceMapping`` with the attachment's
   id and a reserved device name, and record the ``attach_volume`` action;
4. cast ``attach_volume`` to the conductor, which connects the host, has
   the agent plug the volume in and completes the attachment
   (``compute.conductor.volume_attach``).

If step 3 or 4 fails, the attachment is deleted (and the mapping with it),
so the volume is never left reserved.  A detach checks the same, refuses
the root volume, records ``detach_volume`` and casts; the conductor unplugs
the volume, deletes the attachment and the mapping.
"""
import logging

import flask
import sqlalchemy as sa
from oslo_utils import strutils

from common import exceptions
from common.wsgi import validation
from compute import servers
from compute import states
from compute import volumes as volumes_mod
from compute.api import microversion
from compute.api import support
from compute.api.schemas import volume_attachments as schemas
from compute.api.views import volume_attachments as views
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
bp = flask.Blueprint('volume_attachments', __name__,
                     url_prefix=f'{support.API_PREFIX}/servers/<server_id>/os-volume_attachments')

# Nova's ``check_instance_state`` of attach_volume and detach_volume, for the
# states this cloud has: no task may be running.
ATTACHABLE = (states.ACTIVE, states.PAUSED, states.STOPPED)
_LETTERS = 'abcdefghijklmnopqrstuvwxyz'


class DevicePathInUse(exceptions.Conflict):
    msg_fmt = 'The supplied device path (%(path)s) is in use.'


class NotAttached(exceptions.NotFound):
    msg_fmt = 'Instance %(instance)s is not attached to volume %(volume)s'


def _volumes():
    return flask.current_app.volumes


def _check_state(instance, action):
    """Nova's lock and state checks (409)."""
    servers.check_changeable(instance, action, ATTACHABLE, is_admin=support.is_cloud_admin())


def _volume_mappings(session, instance_uuid):
    return session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid,
        m.BlockDeviceMapping.volume_id.is_not(None))
        .order_by(m.BlockDeviceMapping.id)).scalars().all()


def _mapping(session, instance_uuid, volume_id):
    return session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid,
        m.BlockDeviceMapping.volume_id == volume_id)).scalars().first()


def _first_disks(instance, mappings):
    """How many ``vdX`` come before attached volumes, in the agent's order: the root
    disk (the image's, or the boot volume), ephemeral, swap, config drive."""
    flavor = db_api.flavor_of(instance)
    root = bool(instance.image_ref) or any(b.boot_index == 0 for b in mappings)
    return sum((root, bool(instance.ephemeral_gb), bool(flavor.get('swap')),
                bool(instance.config_drive)))


def _reserve_device(session, instance, requested):
    """The device name the new volume gets: ``requested`` if free, else the next
    ``/dev/vdX`` after the local disks and the other volumes.

    :raises DevicePathInUse: ``requested`` is another volume's.
    """
    mappings = _volume_mappings(session, instance.uuid)
    taken = {b.device_name for b in mappings if b.device_name}
    if requested:
        if requested in taken:
            raise DevicePathInUse(path=requested)
        return requested
    for letter in _LETTERS[_first_disks(instance, mappings):]:
        if f'/dev/vd{letter}' not in taken:
            return f'/dev/vd{letter}'
    raise exceptions.Forbidden('The maximum allowed number of disk devices (26) to attach '
                               'to a single instance has been exceeded.')


def _release(ctx, attachment_id):
    """Give the reservation back after a failed attach; a failure here is only logged,
    since the caller reports its own."""
    try:
        _volumes().release(ctx, attachment_id)
    except Exception:  # the volume service is down too: an operator deletes it
        LOG.exception('Could not delete attachment %s of a failed attach', attachment_id)


@bp.get('')
def index(server_id):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'os-volumes-attachments:index')
        return flask.jsonify(volumeAttachments=[
            views.attachment(b) for b in _volume_mappings(session, instance.uuid)])


@bp.get('/<volume_id>')
def show(server_id, volume_id):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'os-volumes-attachments:show')
        bdm = _mapping(session, instance.uuid, volume_id)
        if bdm is None:
            raise NotAttached(instance=server_id, volume=volume_id)
        return flask.jsonify(volumeAttachment=views.attachment(bdm))


def _attach_request():
    body = validation.json_body(schemas.create(microversion.at_least('2.49'),
                                               microversion.at_least('2.79')))
    item = body['volumeAttachment']
    delete = item.get('delete_on_termination', False)
    return (item['volumeId'].lower(), item.get('device'), item.get('tag'),
            strutils.bool_from_string(delete, strict=True))


@bp.post('')
def create(server_id):
    volume_id, requested, tag, delete_on_termination = _attach_request()
    ctx = support.context()
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'os-volumes-attachments:create')
        _check_state(instance, 'attach_volume')
        if _mapping(session, instance.uuid, volume_id) is not None:
            raise volumes_mod.InvalidVolume(reason=f'volume {volume_id} already attached')
        uuid = instance.uuid
    _volumes().get(ctx, volume_id)
    attachment_id = _volumes().reserve(ctx, volume_id, uuid)
    try:
        with support.db().writer() as session:
            instance = db_api.lock_instance(session, uuid)
            if instance is None:
                raise exceptions.NotFound(f'Instance {server_id} could not be found.')
            _check_state(instance, 'attach_volume')
            if _mapping(session, uuid, volume_id) is not None:
                raise volumes_mod.InvalidVolume(reason=f'volume {volume_id} already attached')
            device = _reserve_device(session, instance, requested)
            session.add(m.BlockDeviceMapping(
                instance_uuid=uuid, source_type='volume', destination_type='volume',
                volume_id=volume_id, device_name=device, tag=tag,
                delete_on_termination=delete_on_termination, attachment_id=attachment_id))
            db_api.start_action(session, ctx, uuid, 'attach_volume')
    except Exception:
        _release(ctx, attachment_id)
        raise
    try:
        support.conductor().attach_volume(ctx, uuid, volume_id, mountpoint=device)
    except Exception as exc:  # the bus refused: nothing may stay reserved
        LOG.warning('Could not cast attach_volume of %s to %s: %s', volume_id, uuid, exc)
        _forget(uuid, volume_id)
        _release(ctx, attachment_id)
        raise exceptions.ServiceUnavailable('The compute conductor cannot be reached; the '
                                            'volume was not attached.') from None
    return flask.jsonify(volumeAttachment=views.created(uuid, volume_id, device, tag,
                                                        delete_on_termination))


def _forget(instance_uuid, volume_id):
    with support.db().writer() as session:
        session.execute(sa.delete(m.BlockDeviceMapping).where(
            m.BlockDeviceMapping.instance_uuid == instance_uuid,
            m.BlockDeviceMapping.volume_id == volume_id))


@bp.delete('/<volume_id>')
def delete(server_id, volume_id):
    ctx = support.context()
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'os-volumes-attachments:delete')
        _check_state(instance, 'detach_volume')
        uuid = instance.uuid
    _volumes().get(ctx, volume_id)
    with support.db().writer() as session:
        instance = db_api.lock_instance(session, uuid)
        if instance is None:
            raise exceptions.NotFound(f'Instance {server_id} could not be found.')
        _check_state(instance, 'detach_volume')
        bdm = _mapping(session, uuid, volume_id)
        if bdm is None:
            raise NotAttached(instance=server_id, volume=volume_id)
        if bdm.boot_index == 0:
            raise exceptions.BadRequest('Cannot detach a root device volume')
        action = db_api.start_action(session, ctx, uuid, 'detach_volume')
        action_id = action.id
    try:
        support.conductor().detach_volume(ctx, uuid, volume_id)
    except Exception as exc:  # the bus refused: the volume stays attached
        LOG.warning('Could not cast detach_volume of %s from %s: %s', volume_id, uuid, exc)
        with support.db().writer() as session:
            session.execute(sa.delete(m.InstanceAction).where(m.InstanceAction.id == action_id))
        raise exceptions.ServiceUnavailable('The compute conductor cannot be reached; the '
                                            'volume was not detached.') from None
    return support.accepted()
