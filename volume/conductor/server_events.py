"""``volume-extended``: compute is told that an attached volume grew, so that its
running guests see the new size (Cinder 3.42, "extend an in-use volume").

As Cinder's extend does, once the backend has grown an ``in-use`` volume
the conductor sends compute one ``volume-extended`` event per server the
volume is attached to, with the volume id as ``tag``; compute reads the new
size from the volume service and resizes the guest's disk.  The events go
as the volume service's own user (``common.server_events``), from a thread
of their own.  Not reaching compute is logged, nothing more: the volume is
extended, and the guest sees the size once it is rebooted.
"""
import logging
import threading

import sqlalchemy as sa

from common import server_events
from volume import states
from volume.db import models as m

LOG = logging.getLogger(__name__)
VOLUME_EXTENDED = 'volume-extended'

# id(conf) -> (conf, sender): one sending thread per conductor process.
_senders = {}
_senders_lock = threading.Lock()


def sender(conf):
    """The process's ``ServerEventSender`` for ``conf``, made on first use."""
    with _senders_lock:
        if id(conf) not in _senders:
            _senders[id(conf)] = (conf, server_events.ServerEventSender(
                conf, thread_name='volume-extended'))
        return _senders[id(conf)][1]


def attached_servers(session, volume_id):
    """The servers volume ``volume_id`` is attached to now (its live attachments)."""
    return list(session.execute(
        sa.select(m.VolumeAttachment.instance_uuid).distinct().where(
            m.VolumeAttachment.volume_id == volume_id,
            m.VolumeAttachment.attach_status == states.ATTACHMENT_ATTACHED,
            m.VolumeAttachment.instance_uuid.is_not(None),
            m.VolumeAttachment.deleted_at.is_(None))
        .order_by(m.VolumeAttachment.instance_uuid)).scalars())


def volume_extended(conf, volume_id, server_uuids):
    """Tell compute that ``volume_id``, attached to ``server_uuids``, grew.

    :returns: a ``Future`` of the sending, ``None`` when it could not be started
        (logged: the volume's extend is recorded whatever happens here).
    """
    events = [{'name': VOLUME_EXTENDED, 'server_uuid': uuid, 'tag': volume_id,
               'status': 'completed'} for uuid in server_uuids]
    try:
        return sender(conf).send(events)
    except Exception:  # e.g. the process is stopping: its sending thread is gone
        LOG.exception('Could not tell compute that volume %s attached to %s grew',
                      volume_id, ', '.join(server_uuids))
        return None
