"""Attaching a volume to a server and detaching it, after the API's checks.

The API has reserved the volume (an attachment without a connector) and
stored the ``BlockDeviceMapping`` with its ``attachment_id``; an attach here::

    connect (the host's connector -> connection_info)
      -> agent ``attach_volume`` (the guest sees the disk)
      -> complete (the volume is ``in-use``) -> the device name and the
         ``connection_info`` are recorded

Any failure gives everything back: the disk is unplugged if it was
plugged, the attachment deleted (the volume is ``available`` again) and the
mapping removed, so that a volume is never left reserved.  A detach
unplugs the disk, deletes the attachment, then the mapping; if the agent
or the volume service fails, the mapping stays and the detach can be
asked again (every step succeeds when already done).

The mapping is the token both sides hold: when an attach finds its
mapping gone (a detach or a server delete came in between) it gives back
what it plugged, which is harmless if the other side already did.
Events ``compute_attach_volume`` / ``compute_detach_volume`` join the
instance action the API recorded, as in Nova.
"""
import json
import logging

import sqlalchemy as sa

from compute import rpcapi
from compute.conductor import events
from compute.conductor import payloads
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
ATTACH_EVENT = 'compute_attach_volume'
DETACH_EVENT = 'compute_detach_volume'


class AgentRefused(Exception):
    """The agent answered the attach or detach with an error."""


def _mapping(session, instance_uuid, volume_id):
    return session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid,
        m.BlockDeviceMapping.volume_id == volume_id)).scalars().first()


def _forget(session, instance_uuid, volume_id, attachment_id):
    """Remove the mapping if it still holds ``attachment_id``; :returns: whether it did."""
    return session.execute(sa.delete(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid,
        m.BlockDeviceMapping.volume_id == volume_id,
        m.BlockDeviceMapping.attachment_id == attachment_id)
        .execution_options(synchronize_session=False)).rowcount > 0


def _agent(deps, ctx, host, instance, action, params):
    """The agent's reply to ``action``.  :raises AgentRefused: it answered an error.
    :raises rpcapi.Timeout: it did not answer."""
    reply = deps.agents.run_action(ctx, host, instance, action, params)
    if 'error' in reply:
        raise AgentRefused(reply['error'])
    return reply


def _start(deps, ctx, uuid, volume_id, event):
    """``(host, instance payload, attachment id)``, or ``None`` when there is nothing
    to do (the server or the mapping is gone); starts ``event``."""
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        bdm = _mapping(session, uuid, volume_id) if row is not None else None
        if bdm is None or not bdm.attachment_id:
            LOG.info('Volume %s has no attachment to server %s any more; %s ignored',
                     volume_id, uuid, event)
            return None
        events.start(session, ctx, uuid, event, host=row.host)
        return row.host, payloads.instance(session, row), bdm.attachment_id


def _finish_event(deps, ctx, uuid, event, error=None):
    with deps.db.writer() as session:
        events.finish(session, ctx, uuid, event, events.ERROR if error else events.SUCCESS,
                      details=error)


def attach_volume(deps, ctx, uuid, volume_id, mountpoint=None):
    """Plug the reserved volume into the server's guest and complete the attachment."""
    started = _start(deps, ctx, uuid, volume_id, ATTACH_EVENT)
    if started is None:
        return
    host, instance, attachment_id = started
    plugged = False
    try:
        if not host:
            raise AgentRefused(f'Instance {uuid} has no host.')
        info = deps.volumes.connect(ctx, attachment_id, host, mountpoint)
        plugged = None  # unknown until the agent answers
        reply = _agent(deps, ctx, host, instance, 'attach_volume',
                       {'connection_info': info, 'serial': volume_id,
                        'mountpoint': mountpoint})
        plugged = True
        deps.volumes.complete(ctx, attachment_id)
    except Exception as exc:  # whatever failed, the volume must not stay reserved
        message = getattr(exc, 'message', None) or str(exc) or type(exc).__name__
        if isinstance(exc, rpcapi.Timeout):
            message = f'Host {host} did not answer the attach of volume {volume_id}.'
        LOG.warning('Attach of volume %s to server %s failed: %s', volume_id, uuid, message)
        _give_back(deps, ctx, uuid, host, instance, volume_id, attachment_id,
                   unplug=plugged is not False)
        _finish_event(deps, ctx, uuid, ATTACH_EVENT, error=message)
        return
    with deps.db.writer() as session:
        bdm = _mapping(session, uuid, volume_id)
        kept = bdm is not None and bdm.attachment_id == attachment_id
        if kept:
            bdm.device_name = reply.get('device') or bdm.device_name
            # Kept for a rebuild or a resize, which define the guest again.
            bdm.connection_info = json.dumps(info)
            events.finish(session, ctx, uuid, ATTACH_EVENT, events.SUCCESS)
    if not kept:
        LOG.info('Volume %s was detached from server %s while it was attached; unplugging',
                 volume_id, uuid)
        _give_back(deps, ctx, uuid, host, instance, volume_id, attachment_id, unplug=True)


def _give_back(deps, ctx, uuid, host, instance, volume_id, attachment_id, unplug):
    """Undo an attach: unplug (if it may be plugged), delete the attachment and the mapping.

    Best effort: each failure is logged, the next step still runs.
    """
    if unplug and host:
        try:
            _agent(deps, ctx, host, instance, 'detach_volume', {'serial': volume_id})
        except Exception as exc:  # the guest goes with the server; the volume must not wait
            LOG.warning('Could not unplug volume %s from server %s on %s: %s', volume_id,
                        uuid, host, exc)
    try:
        deps.volumes.release(ctx, attachment_id)
    except Exception:  # an operator deletes it; the mapping goes anyway
        LOG.exception('Could not delete attachment %s of volume %s', attachment_id,
                      volume_id)
    with deps.db.writer() as session:
        _forget(session, uuid, volume_id, attachment_id)


def detach_volume(deps, ctx, uuid, volume_id):
    """Unplug the volume, delete its attachment, then its mapping."""
    started = _start(deps, ctx, uuid, volume_id, DETACH_EVENT)
    if started is None:
        return
    host, instance, attachment_id = started
    try:
        if host:
            _agent(deps, ctx, host, instance, 'detach_volume', {'serial': volume_id})
        deps.volumes.release(ctx, attachment_id)
    except Exception as exc:  # the mapping stays: the detach may be asked again
        message = getattr(exc, 'message', None) or str(exc) or type(exc).__name__
        if isinstance(exc, rpcapi.Timeout):
            message = f'Host {host} did not answer the detach of volume {volume_id}.'
        LOG.warning('Detach of volume %s from server %s failed: %s', volume_id, uuid, message)
        _finish_event(deps, ctx, uuid, DETACH_EVENT, error=message)
        return
    with deps.db.writer() as session:
        _forget(session, uuid, volume_id, attachment_id)
        events.finish(session, ctx, uuid, DETACH_EVENT, events.SUCCESS)
