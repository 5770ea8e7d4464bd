"""``volume-extended``: the guest of a server sees the new size of an attached volume.

The volume service grows an ``in-use`` volume (Cinder microversion 3.42)
and tells compute through ``POST /os-server-external-events``
(``volume-extended``, the volume id as ``tag``, one event per server the
volume is attached to).  Compute has the agent resize the guest's disk
live.  The event carries no size, and unlike Nova compute does not ask the
volume service for it: the volume belongs to the server's project, which
neither the event's sender nor compute's own service user (role
``service``) may read.  The agent reads it from the volume's file, which
holds exactly what the guest may use.

The instance action ``extend_volume`` with its event
``compute_extend_volume`` records the outcome, as Nova's do.  A stopped
guest needs nothing (it reads the size when it starts), nor does a server
without a host; a failure is logged and recorded, never the server's
fault: the volume is extended and the guest sees it after a reboot.
"""
import logging

import sqlalchemy as sa

from common.context import RequestContext
from compute import rpcapi
from compute import states
from compute.conductor import events
from compute.conductor import payloads
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)

VOLUME_EXTENDED = 'volume-extended'
ACTION = 'extend_volume'
EVENT = 'compute_extend_volume'
# Power states whose guest has a running QEMU to tell (a paused one too).
_LIVE = (states.RUNNING, states.PAUSED_POWER)


def volume_extended(deps, event):
    """Have the agent show the guest of ``event['server_uuid']`` the new size of
    volume ``event['tag']``."""
    uuid, volume_id = event['server_uuid'], event['tag']
    ctx = RequestContext.admin()
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        attached = row is not None and session.execute(sa.select(m.BlockDeviceMapping.id).where(
            m.BlockDeviceMapping.instance_uuid == uuid,
            m.BlockDeviceMapping.volume_id == volume_id)).first() is not None
        if not attached:
            LOG.info('Volume %s is not attached to server %s; %s ignored', volume_id, uuid,
                     VOLUME_EXTENDED)
            return
        action = db_api.start_action(session, ctx, uuid, ACTION)
        db_api.start_event(session, action.id, EVENT, host=row.host)
        host, power_state = row.host, row.power_state
        instance = payloads.instance(session, row)
    error = None
    if host and power_state in _LIVE:
        try:
            error = deps.agents.run_action(ctx, host, instance, 'extend_volume',
                                           {'serial': volume_id}).get('error')
        except rpcapi.Timeout:
            error = f'Host {host} did not answer the extend of volume {volume_id}.'
        except Exception as exc:  # the bus refused: the guest sees the size after a reboot
            error = str(exc) or type(exc).__name__
    else:
        LOG.info('Server %s is not running (power state %s, host %s): its guest sees the '
                 'new size of volume %s when it starts', uuid, power_state, host, volume_id)
    if error is not None:
        LOG.warning('The guest of server %s could not be shown the new size of volume %s: '
                    '%s', uuid, volume_id, error)
    with deps.db.writer() as session:
        db_api.finish_event(session, action.id, EVENT,
                            events.ERROR if error else events.SUCCESS, traceback=error)
