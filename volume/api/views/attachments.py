"""``attachment`` bodies, as Cinder shapes them.

The summary names the attachment, its status, server and volume; the
detail adds its times (``""`` when not yet, as in Cinder), mode and
``connection_info``.  Cinder shows ``connection_info`` to whoever may see
the attachment: the compute service reads it with the user's token.  The
connector the host gave is not shown, as in Cinder.
"""
from common.wsgi.timestamps import microsecond_time


def _time(value):
    return microsecond_time(value) if value is not None else ''


def summary(attachment):
    return {'id': attachment.id, 'status': attachment.attach_status,
            'instance': attachment.instance_uuid, 'volume_id': attachment.volume_id}


def detail(attachment):
    return {**summary(attachment),
            'attached_at': _time(attachment.attached_at),
            'detached_at': _time(attachment.detached_at),
            'attach_mode': attachment.attach_mode,
            'connection_info': attachment.connection_info}
