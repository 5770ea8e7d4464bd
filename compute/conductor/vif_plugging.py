"""Waiting for the network service to wire a new server's ports (Nova's vif plugging).

The network service makes a bound port DOWN; its agent on the host wires
the tap the compute agent made for the guest, and the port turns ACTIVE.
The network service then tells compute through
``POST /os-server-external-events``: ``network-vif-plugged`` with the port
id as ``tag`` and status ``completed`` (or ``failed`` when it could not
wire it).  The API casts the events here (``external_instance_event``) and
each one is recorded on the server's ``instance_ports`` row (``vif_state``).

A build goes ACTIVE once its guest is spawned *and* every port that was
not ACTIVE when made is plugged, whichever comes last: ``build.spawned``
leaves the server ``spawning`` with ``spawned_at`` set while ports wait,
and the event that plugs the last of them ends the build.  Both lock the
server row before they read the other's writes, so that of a spawn report
and an event arriving together the second sees the first.

A port that is not plugged ``[compute] vif_plugging_timeout`` seconds after
the guest spawned (checked by ``fail_timeouts``, a periodic task), or a
``failed`` event, fails the build when ``[compute] vif_plugging_is_fatal``:
the guest is removed, the claim and ports are given back and the server
goes to ERROR with the fault "Virtual Interface creation failed".  As in
Nova the build is not rescheduled: the ports were made for this host and
the network service could not wire them.  Otherwise the server goes ACTIVE
with a warning in the log.

``volume-extended`` goes to ``compute.conductor.volume_events``.  The
other events of ``os-server-external-events`` (``network-changed``,
``network-vif-unplugged``, ``network-vif-deleted``) are logged: nothing in
compute acts on them.
"""
import datetime
import logging

import sqlalchemy as sa

from compute import states
from compute.conductor import build
from compute.conductor import events
from compute.conductor import volume_events
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)

VIF_PLUGGED = 'network-vif-plugged'
FAULT = 'Virtual Interface creation failed'
_STATE_OF_STATUS = {'completed': states.VIF_PLUGGED, 'failed': states.VIF_FAILED}


def external_instance_event(deps, external_events):
    """Record each event (``compute.rpcapi.ExternalEvent``); one failing does not stop
    the others."""
    for event in external_events:
        try:
            _handle(deps, event)
        except Exception:  # logged with the event: the cast has no caller to tell
            LOG.exception('Event %s (%s) of server %s failed', event['name'],
                          event.get('tag'), event['server_uuid'])


def _building(row):
    return row is not None and (row.vm_state, row.task_state) == (states.BUILDING,
                                                                  states.SPAWNING)


def _handle(deps, event):
    uuid, port_id = event['server_uuid'], event.get('tag')
    if (event['name'], event['status']) == (volume_events.VOLUME_EXTENDED, 'completed') \
            and port_id:
        volume_events.volume_extended(deps, event)
        return
    state = _STATE_OF_STATUS.get(event['status'])
    if event['name'] != VIF_PLUGGED or state is None or not port_id:
        LOG.info('Event %s (%s, tag %s) of server %s: nothing to do', event['name'],
                 event['status'], port_id, uuid)
        return
    failed = activated = False
    with deps.db.writer() as session:
        row = db_api.lock_instance(session, uuid)
        port = session.get(m.InstancePort, port_id)
        if row is None or port is None or port.instance_uuid != uuid:
            LOG.info('Port %s is not a port of server %s; %s ignored', port_id, uuid,
                     VIF_PLUGGED)
            return
        LOG.info('Port %s of server %s is %s', port_id, uuid, state)
        port.vif_state = state
        session.flush()
        if not _building(row):
            return
        host, spawned_at, power_state = row.host, row.spawned_at, row.power_state
        ctx = events.context_of_last_action(session, uuid, 'create')
        if state == states.VIF_FAILED:
            if deps.conf.compute.vif_plugging_is_fatal:
                failed = True
            else:
                LOG.warning('The network service could not wire port %s of server %s on '
                            '%s; the build goes on ([compute] vif_plugging_is_fatal is '
                            'False)', port_id, uuid, host)
        if not failed and spawned_at is not None and \
                not build.unplugged_ports(deps, session, uuid):
            activated = build.activate(deps, session, ctx, uuid, host, power_state)
            row = db_api.get_instance(session, uuid)
    if failed:
        _fail(deps, ctx, uuid, host, f'The network service could not wire port {port_id} '
                                     f'of the server on host {host}.')
    elif activated:
        deps.notify(ctx, 'create.end', row)


def _fail(deps, ctx, uuid, host, details):
    """End the build in ERROR, giving back its claim and ports and removing its guest."""
    LOG.warning('Build of server %s on %s failed: %s', uuid, host, details)
    build.reschedule(deps, ctx, uuid,
                     build.HostFailure(host, FAULT, retry=False, details=details))
    # The guest is up (or coming up; a late spawn report removes it then too).
    try:
        deps.agents.destroy(ctx, host, {'uuid': uuid}, wait=False)
    except Exception:  # the bus refused: the agent's next start removes the guest
        LOG.exception('Could not ask %s to remove the guest of server %s', host, uuid)


def fail_timeouts(deps):
    """Fail (or, when not fatal, end in ACTIVE) the builds whose ports are not wired
    ``[compute] vif_plugging_timeout`` seconds after their guest spawned."""
    timeout = deps.conf.compute.vif_plugging_timeout
    if not timeout:
        return
    cutoff = deps.now() - datetime.timedelta(seconds=timeout)
    with deps.db.reader() as session:
        late = session.execute(sa.select(m.Instance.uuid, m.Instance.host).where(
            m.Instance.vm_state == states.BUILDING, m.Instance.task_state == states.SPAWNING,
            m.Instance.deleted_at.is_(None), m.Instance.spawned_at < cutoff)).all()
    for uuid, host in late:
        try:
            _time_out(deps, uuid, host, timeout)
        except Exception:  # one server must not stop the others
            LOG.exception('Could not end the build of server %s', uuid)


def _time_out(deps, uuid, host, timeout):
    fatal = deps.conf.compute.vif_plugging_is_fatal
    activated = False
    with deps.db.writer() as session:
        row = db_api.lock_instance(session, uuid)
        if not _building(row) or row.host != host or row.spawned_at is None:
            return
        ctx = events.context_of_last_action(session, uuid, 'create')
        waiting = build.unplugged_ports(deps, session, uuid)
        details = (f'Port(s) {", ".join(waiting)} of the server were not wired on host '
                   f'{host} within {timeout} seconds of its spawn.')
        if not waiting or not fatal:
            if waiting:
                LOG.warning('Server %s: %s It goes ACTIVE anyway ([compute] '
                            'vif_plugging_is_fatal is False).', uuid, details)
            activated = build.activate(deps, session, ctx, uuid, host, row.power_state)
            row = db_api.get_instance(session, uuid)
    if activated:
        deps.notify(ctx, 'create.end', row)
    elif waiting and fatal:
        _fail(deps, ctx, uuid, host, details)
