"""The older attach actions of volumes (before the attachments API), as Cinder keeps them.

A client of this flow drives the volume's status itself::

    os-reserve          available (in-use if multiattach) -> attaching
    os-initialize_connection   (no change: answers connection_info)
    os-attach           records the attachment attached   -> in-use
    os-begin_detaching  in-use -> detaching   (os-roll_detaching: back)
    os-terminate_connection    (no change)
    os-detach           the attachment detached -> in-use or available

``os-unreserve`` puts an ``attaching`` volume back.  Attachments made here
are the same rows as the attachments API's, under the same rules
(``volume.attachments``: multiattach, qcow2, status from what is left).
"""
from common import exceptions
from common.db.types import utcnow
from volume import attachments
from volume import exceptions as vol_exc
from volume import states
from volume.db import api as db_api
from volume.db import models as m


def reserve(session, volume):
    """``available`` (or ``in-use``, for a multiattach volume) -> ``attaching``.

    :raises InvalidVolume: in any other status (the loser of two racing reserves).
    """
    expected = (states.AVAILABLE, states.IN_USE) if volume.multiattach else (states.AVAILABLE,)
    if volume.multiattach and volume.status == states.IN_USE and \
            volume.format == attachments.QCOW2:
        raise attachments.Qcow2Multiattach(volume_id=volume.id)
    if not db_api.transition(session, volume.id, expected, status=states.ATTACHING):
        volume = attachments.lock(session, volume.id)
        raise vol_exc.InvalidVolume(reason=f'Volume status must be {" or ".join(expected)} to '
                                           f'reserve, but the current status is '
                                           f'{volume.status}.')


def unreserve(session, volume):
    """``attaching`` -> ``in-use`` when it has an attached attachment, else ``available``;
    nothing in any other status."""
    volume = attachments.lock(session, volume.id)
    attached = db_api.attached(session, [volume.id])[volume.id]
    db_api.transition(session, volume.id, (states.ATTACHING,),
                      status=states.IN_USE if attached else states.AVAILABLE)


def begin_detaching(session, volume):
    """``in-use`` and attached -> ``detaching``.  :raises InvalidVolume: otherwise."""
    if not db_api.transition(session, volume.id, (states.IN_USE,),
                             where=(m.Volume.attach_status == states.ATTACHED,),
                             status=states.DETACHING):
        raise vol_exc.InvalidVolume(reason="Unable to detach volume. Volume status must be "
                                           "'in-use' and attach_status must be 'attached' to "
                                           "detach.")


def roll_detaching(session, volume):
    """``detaching`` -> ``in-use``; nothing in any other status."""
    db_api.transition(session, volume.id, (states.DETACHING,), status=states.IN_USE)


def _checked_target(instance_uuid, host_name):
    if instance_uuid and host_name:
        raise exceptions.BadRequest(f'Invalid request to attach volume to an instance '
                                    f'{instance_uuid} and a host {host_name} simultaneously')
    if not instance_uuid and not host_name:
        raise exceptions.BadRequest('Invalid request to attach volume to an invalid target')


def attach(session, volume, *, instance_uuid=None, host_name=None, mountpoint, mode=None):
    """Record ``volume`` attached to a server (``instance_uuid``) or a host
    (``host_name``) at ``mountpoint``; the volume becomes ``in-use``.  Attaching it
    again to the same server changes nothing.

    :raises BadRequest: both or neither of server and host.
    :raises InvalidVolume: not in an attach status, or attached elsewhere and
        not shareable (``attachments.check_shareable``).
    """
    _checked_target(instance_uuid, host_name)
    volume = attachments.lock(session, volume.id)
    if volume.status not in (states.AVAILABLE, states.RESERVED, states.ATTACHING,
                             states.IN_USE):
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be available, '
                                           f'reserved, attaching or in-use to attach, but the '
                                           f'current status is {volume.status}.')
    live = db_api.live_attachments(session, volume.id)
    mine = [a for a in live if instance_uuid and a.instance_uuid == instance_uuid]
    if any(a.attach_status == states.ATTACHMENT_ATTACHED for a in mine):
        return next(a for a in mine if a.attach_status == states.ATTACHMENT_ATTACHED)
    attachments.check_shareable(volume, live, instance_uuid)
    mode = attachments.checked_mode(session, volume, mode)
    attachment = mine[0] if mine else m.VolumeAttachment(volume_id=volume.id,
                                                         instance_uuid=instance_uuid)
    attachment.attached_host = host_name
    attachment.mountpoint = mountpoint
    attachment.attach_mode = mode
    attachment.attach_status = states.ATTACHMENT_ATTACHED
    attachment.attached_at = utcnow()
    session.add(attachment)
    session.flush()
    attachments.set_attached_mode(session, volume.id, mode)
    attachments.settle(session, volume)
    return attachment


def detach(session, volume, attachment_id=None):
    """Record the attachment ``attachment_id`` (the only one, when not given) detached.

    :raises AttachmentNotFound: the volume has no such live attachment.
    :raises InvalidVolume: several, and none named.
    """
    volume = attachments.lock(session, volume.id)
    live = db_api.live_attachments(session, volume.id)
    if attachment_id is not None:
        chosen = [a for a in live if a.id == attachment_id]
        if not chosen:
            raise attachments.AttachmentNotFound(id=attachment_id)
    elif len(live) > 1:
        raise vol_exc.InvalidVolume(reason='Detach volume failed: More than one attachment, '
                                           'but no attachment_id provided.')
    else:
        chosen = live
    if chosen:
        attachments.remove(session, chosen[0], volume)
    else:
        attachments.settle(session, volume)


def access_mode(session, volume):
    """The ``access_mode`` of a connection: the attached mode, else ``ro`` for a
    read-only volume, else ``rw`` (as Cinder's os-initialize_connection)."""
    row = session.get(m.VolumeAdminMetadata, (volume.id, 'attached_mode'))
    if row is not None:
        return row.value
    return 'ro' if attachments.is_readonly(session, volume.id) else 'rw'


def check_connectable(volume):
    """:raises InvalidVolume: the volume is in maintenance (as Cinder)."""
    if volume.status == states.MAINTENANCE:
        raise vol_exc.InvalidVolume(reason='The volume connection cannot be initialized in '
                                           'maintenance status.')
