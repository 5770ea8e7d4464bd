"""Attachments of volumes to servers: reserve, connect, complete, remove (Cinder 3.27+).

The life of an attachment, as Nova drives it::

    reserve (POST)          attachment reserved   volume available -> reserved
    connect (PUT connector) attachment attaching  volume -> attaching
    complete (os-complete)  attachment attached   volume -> in-use, attached
    remove (DELETE)         attachment deleted    volume -> from what is left

A volume's status while it has attachments follows from them
(``settle``): ``in-use`` when one is attached, else ``attaching`` when one
is connected, else ``reserved``; ``available`` when none is left.  Each
change locks the volume's row first (the conditional UPDATE of a reserve,
or ``SELECT … FOR UPDATE``) so that two requests on one volume's
attachments queue, and each sets the status with a conditional UPDATE
(``db_api.transition``) on the attach statuses only: a volume an
administrator put in ``error`` or ``maintenance`` meanwhile keeps it.

A volume may have live attachments of several servers only when it is
``multiattach`` (its type says ``multiattach="<is> True"``), and never
when it is a qcow2 file: two QEMUs would each rewrite the image's
metadata and corrupt it.  A second attachment of the *same* server is
allowed whatever the type: Nova makes one on the destination host of a
live migration.
"""
import dataclasses

import sqlalchemy as sa

from common import exceptions
from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import states
from volume import volumes
from volume.conductor.orchestration import driver_volume
from volume.db import api as db_api
from volume.db import models as m

# The volume statuses that attachments decide; any other is an administrator's or a
# long operation's, and ``settle`` leaves it alone.
ATTACH_STATUSES = (states.AVAILABLE, states.RESERVED, states.ATTACHING, states.IN_USE,
                   states.DETACHING)
# The statuses of a volume that already has live attachments and may take one more.
_SHAREABLE = (states.RESERVED, states.ATTACHING, states.IN_USE)
QCOW2 = 'qcow2'


class AttachmentNotFound(exceptions.NotFound):
    msg_fmt = 'Volume attachment could not be found with filter: attachment_id = %(id)s.'


class InvalidAttachMode(exceptions.BadRequest):
    msg_fmt = "Invalid attaching mode '%(mode)s' for volume %(volume_id)s."


class Qcow2Multiattach(vol_exc.InvalidVolume):
    msg_fmt = ('Invalid volume: Volume %(volume_id)s is a qcow2 file and cannot be attached '
               'to more than one server at a time: QEMU cannot share a qcow2 image between '
               'guests safely. Use a volume type whose backend stores raw files.')


@dataclasses.dataclass(frozen=True)
class Target:
    """Whom the API asks about a volume's connection, read in one transaction and used
    after it (the RPC call runs outside any transaction)."""
    backend: str  # <host>@<backend>
    volume: dict  # the driver's Volume
    connector: dict | None


def _or(items):
    return ' or '.join(items)


def visible(caller):
    """The SQL condition for the live attachments ``caller`` may see: those of the
    volumes they may see."""
    return sa.and_(m.VolumeAttachment.deleted_at.is_(None), volumes.visible(caller))


def get(session, caller, attachment_id):
    """``(attachment, volume)``.

    :raises AttachmentNotFound: no such live attachment, or one of a
        volume ``caller`` may not see.
    """
    row = session.execute(
        sa.select(m.VolumeAttachment, m.Volume)
        .join(m.Volume, m.Volume.id == m.VolumeAttachment.volume_id)
        .where(m.VolumeAttachment.id == attachment_id, visible(caller))).first()
    if row is None:
        raise AttachmentNotFound(id=attachment_id)
    return tuple(row)


def lock(session, volume_id):
    """Lock the volume's row until the transaction ends and read it afresh."""
    return session.execute(
        sa.select(m.Volume).where(m.Volume.id == volume_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def lock_for(session, attachment, volume):
    """Lock the attachment's volume (``lock``), then read the attachment afresh: a
    request that waited for the lock sees what the holder did.

    :raises AttachmentNotFound: the holder deleted it.
    """
    volume = lock(session, volume.id)
    session.refresh(attachment)
    if attachment.deleted_at is not None:
        raise AttachmentNotFound(id=attachment.id)
    return volume


def is_readonly(session, volume_id):
    row = session.get(m.VolumeAdminMetadata, (volume_id, 'readonly'))
    return row is not None and row.value.strip().lower() == 'true'


def checked_mode(session, volume, mode):
    """The attach mode of a new attachment: ``mode``, or ``ro`` for a read-only volume
    and ``rw`` otherwise.  :raises InvalidAttachMode: ``rw`` on a read-only volume."""
    readonly = is_readonly(session, volume.id)
    if mode is None:
        return 'ro' if readonly else 'rw'
    if readonly and mode == 'rw':
        raise InvalidAttachMode(mode=mode, volume_id=volume.id)
    return mode


def check_shareable(volume, live, instance_uuid):
    """Refuse another live attachment of ``volume`` (which has ``live`` ones) unless it
    is of the same server, or the volume may be shared.

    :raises InvalidVolume: the volume is not multiattach (Cinder's wording).
    :raises Qcow2Multiattach: it is, but it is a qcow2 file.
    """
    if not live or (instance_uuid and any(a.instance_uuid == instance_uuid for a in live)):
        return
    if not volume.multiattach:
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be available to '
                                           f'reserve, but the current status is '
                                           f'{volume.status}.')
    if volume.format == QCOW2:
        raise Qcow2Multiattach(volume_id=volume.id)


def reserve(session, volume, instance_uuid, mode):
    """A new ``reserved`` attachment of ``volume`` for the server ``instance_uuid``.

    The volume's row is locked first, so that a detach or another reserve
    of it waits for this one.  An ``available`` volume becomes ``reserved``
    (a conditional UPDATE besides: of two racing reserves, one wins); a
    volume with live attachments keeps its status when it may take one
    more (``check_shareable``).

    :raises InvalidVolume: (400) the volume is in no status to be reserved,
        or already attached and not multiattach.
    """
    volume = lock(session, volume.id)
    mode = checked_mode(session, volume, mode)
    live = db_api.live_attachments(session, volume.id)
    if live and volume.status in _SHAREABLE:
        check_shareable(volume, live, instance_uuid)
    elif not (volume.status == states.AVAILABLE and db_api.transition(
            session, volume.id, (states.AVAILABLE,), status=states.RESERVED)):
        expected = (states.AVAILABLE, states.IN_USE) if volume.multiattach \
            else (states.AVAILABLE,)
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be '
                                           f'{_or(expected)} to reserve, but the current '
                                           f'status is {volume.status}.')
    attachment = m.VolumeAttachment(volume_id=volume.id, instance_uuid=instance_uuid,
                                    attach_status=states.ATTACHMENT_RESERVED, attach_mode=mode)
    session.add(attachment)
    session.flush()
    return attachment


def on_backend(volume):
    """Whether a backend holds the volume (it was made)."""
    return bool(volume.host and volume.provider_location)


def target(volume, connector):
    """The ``Target`` of a connect or disconnect of ``volume`` for ``connector``.

    :raises InvalidVolume: the volume has no backend (it was never made).
    """
    if not on_backend(volume):
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} is not on any backend; it '
                                           f'cannot be attached.')
    return Target(backend=volumes.backend_of(volume.host), volume=driver_volume(volume),
                  connector=connector)


def check_connectable(attachment, volume):
    """:raises InvalidVolume: the attachment is being detached, or the volume is not
    in an attach status (it is being deleted, extended, is in error …)."""
    if attachment.attach_status == states.ATTACHMENT_DETACHING or \
            volume.status not in _SHAREABLE:
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be '
                                           f'{_or(_SHAREABLE)} to update an attachment, but '
                                           f'the current status is {volume.status}.')


def with_access_mode(connection_info, mode):
    """``connection_info`` with ``data.access_mode`` (``rw``/``ro``), as Cinder gives it."""
    info = dict(connection_info)
    info['data'] = {**(info.get('data') or {}), 'access_mode': mode}
    return info


def connected(session, caller, attachment_id, connector, connection_info):
    """Record the backend's answer for ``connector``: the attachment goes ``attaching``
    (an attached one stays so) and its volume settles.

    :raises AttachmentNotFound: the attachment was deleted meanwhile.
    """
    attachment, volume = get(session, caller, attachment_id)
    volume = lock_for(session, attachment, volume)
    check_connectable(attachment, volume)
    attachment.connector = connector
    attachment.connection_info = with_access_mode(connection_info, attachment.attach_mode)
    attachment.attached_host = connector.get('host')
    attachment.mountpoint = connector.get('mountpoint')
    if attachment.attach_status == states.ATTACHMENT_RESERVED:
        attachment.attach_status = states.ATTACHMENT_ATTACHING
    attachment.updated_at = utcnow()
    session.flush()
    settle(session, volume)
    return attachment


def complete(session, attachment, volume):
    """Mark ``attachment`` attached (the host has the volume): its volume goes ``in-use``.

    A reserved attachment may be completed too: Nova completes without a
    connector when it attaches a volume to a shelved-offloaded server.

    :raises InvalidVolume: the attachment is being detached.
    :raises AttachmentNotFound: it was deleted meanwhile.
    """
    volume = lock_for(session, attachment, volume)
    if attachment.attach_status == states.ATTACHMENT_DETACHING:
        raise vol_exc.InvalidVolume(reason=f'Attachment {attachment.id} is being detached; '
                                           f'it cannot be completed.')
    now = utcnow()
    attachment.attach_status = states.ATTACHMENT_ATTACHED
    attachment.attached_at = attachment.attached_at or now
    attachment.updated_at = now
    session.flush()
    set_attached_mode(session, volume.id, attachment.attach_mode)
    settle(session, volume)


def set_attached_mode(session, volume_id, mode):
    """The ``attached_mode`` admin metadata Cinder shows in the volume's ``metadata``."""
    row = session.get(m.VolumeAdminMetadata, (volume_id, 'attached_mode'))
    if row is None:
        session.add(m.VolumeAdminMetadata(volume_id=volume_id, key='attached_mode', value=mode))
    else:
        row.value = mode


def remove(session, attachment, volume):
    """Mark ``attachment`` detached and deleted; its volume settles (``available`` once
    the last one is gone).

    :returns: the volume's live attachments left.
    :raises AttachmentNotFound: another request deleted it meanwhile.
    """
    volume = lock_for(session, attachment, volume)
    now = utcnow()
    attachment.attach_status = states.ATTACHMENT_DETACHED
    attachment.detached_at = now
    attachment.deleted_at = now
    attachment.updated_at = now
    session.flush()
    return settle(session, volume)


def settle(session, volume):
    """Set the (locked) volume's ``attach_status`` from its live attachments, and its
    status too when it is in an attach status.  :returns: the live attachments."""
    live = db_api.live_attachments(session, volume.id)
    found = {a.attach_status for a in live}
    attach_status = states.DETACHED
    if states.ATTACHMENT_ATTACHED in found:
        status, attach_status = states.IN_USE, states.ATTACHED
    elif states.ATTACHMENT_ATTACHING in found:
        status = states.ATTACHING
    elif live:
        status = states.RESERVED
    else:
        status = states.AVAILABLE
    if status == states.IN_USE and volume.status == states.DETACHING:
        status = states.DETACHING  # os-begin_detaching was asked: it ends with os-detach
    # ``attach_status`` tells what the attachments are, whatever the status.
    session.execute(sa.update(m.Volume).where(m.Volume.id == volume.id)
                    .values(attach_status=attach_status)
                    .execution_options(synchronize_session=False))
    session.expire(volume)
    db_api.transition(session, volume.id, ATTACH_STATUSES, status=status)
    if not live:
        session.execute(sa.delete(m.VolumeAdminMetadata).where(
            m.VolumeAdminMetadata.volume_id == volume.id,
            m.VolumeAdminMetadata.key == 'attached_mode'))
    return live


def list_query(caller, args, all_tenants):
    """The SELECT of the attachments a list shows: ``caller``'s project's (every
    project's for a cloud admin with ``all_tenants``), filtered as Cinder filters
    (``volume_id``, ``instance_id``, ``status``/``attach_status``)."""
    stmt = (sa.select(m.VolumeAttachment)
            .join(m.Volume, m.Volume.id == m.VolumeAttachment.volume_id)
            .where(visible(caller)))
    if not (caller.is_admin and all_tenants):
        stmt = stmt.where(m.Volume.project_id == caller.project_id)
    filters = {'volume_id': m.VolumeAttachment.volume_id,
               'instance_id': m.VolumeAttachment.instance_uuid,
               'status': m.VolumeAttachment.attach_status,
               'attach_status': m.VolumeAttachment.attach_status}
    for name, column in filters.items():
        if args.get(name):
            stmt = stmt.where(column == args[name])
    return stmt
