"""Power-state sync: the database follows what the hypervisors say.

Agents send ``{uuid: power_state}`` of their host every ``[conductor]
power_sync_interval`` seconds and once when they start.  As Nova's
``_sync_instance_power_state``: servers with a task running are left
alone (the task will set the state); otherwise the power state is
recorded, and a server found shut down while ACTIVE is stopped
(vm_state ``stopped``), while one found running while STOPPED is powered
off again.  In an agent's first report, with ``[conductor]
resume_guests_state_on_host_boot``, a server found shut down while ACTIVE
is started again instead: its host went down under it, not its user.

At an agent's start the report also reconciles (Nova's ``init_host``):
guests the host runs that belong to no server on it (deleted while the
host was down, or moved elsewhere) are destroyed, or only reported, as
``[conductor] running_deleted_instance_action`` says; builds the host lost
(spawning there, yet absent) are retried on another host; and servers
whose guest is gone from the host (its disks lost with it, or removed by
hand) go to ERROR with a fault saying so, rather than showing ACTIVE.
"""
import logging

import sqlalchemy as sa

from common.context import RequestContext
from compute import states
from compute.conductor import build
from compute.conductor import events
from compute.conductor import payloads
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
_OFF = (states.SHUTDOWN, states.CRASHED)


def sync_power_states(deps, host, power_states, startup=False):
    ctx = RequestContext.admin()
    power_states = {uuid: int(ps) for uuid, ps in power_states.items()}
    with deps.db.reader() as session:
        rows = session.execute(sa.select(m.Instance).where(
            m.Instance.deleted_at.is_(None),
            sa.or_(m.Instance.host == host, m.Instance.migration_host == host))).scalars().all()
    on_host = {r.uuid: r for r in rows if r.host == host}
    owned = {r.uuid for r in rows}
    resume = startup and deps.conf.conductor.resume_guests_state_on_host_boot
    for row in on_host.values():
        if row.task_state is None and row.vm_state != states.RESIZED:
            try:
                power_state = power_states.get(row.uuid, states.NOSTATE)
                if not (resume and _resumed(deps, ctx, host, row, power_state)):
                    _sync_one(deps, ctx, host, row, power_state)
            except Exception:  # one server must not stop the sync of the others
                LOG.exception('Power-state sync of server %s failed', row.uuid)
    if startup:
        _reconcile(deps, ctx, host, power_states, on_host, owned)


def _resumed(deps, ctx, host, row, power_state):
    """Start again the shut-off guest of an ACTIVE server; whether it runs now.

    A guest that will not start is left to ``_sync_one``, which stops the
    server, so that its state says what the hypervisor says.
    """
    if row.vm_state != states.ACTIVE or power_state not in _OFF:
        return False
    LOG.info('Server %s was running when host %s went down; starting it again', row.uuid,
             host)
    with deps.db.reader() as session:
        instance = payloads.instance(session, row)
    try:
        reply = deps.agents.run_action(ctx, host, instance, 'start', {})
    except Exception:
        LOG.exception('Server %s: its guest on %s did not start again', row.uuid, host)
        return False
    with deps.db.writer() as session:
        db_api.transition(session, row.uuid, vm_states=[states.ACTIVE],
                          power_state=reply.get('power_state', states.RUNNING))
    return True


def _sync_one(deps, ctx, host, row, power_state):
    if power_state != row.power_state:
        with deps.db.writer() as session:
            db_api.transition(session, row.uuid, vm_states=[row.vm_state],
                              power_state=power_state)
    if row.vm_state == states.ACTIVE and power_state in _OFF:
        LOG.warning('Server %s is shut down on %s while ACTIVE; stopping it', row.uuid, host)
        with deps.db.writer() as session:
            stopped = db_api.transition(session, row.uuid, vm_states=[states.ACTIVE],
                                        vm_state=states.STOPPED, power_state=power_state)
            row = db_api.get_instance(session, row.uuid)
        if stopped:
            deps.notify(ctx, 'power_off.end', row)
    elif row.vm_state == states.STOPPED and power_state not in _OFF + (states.NOSTATE,):
        LOG.warning('Server %s runs on %s while STOPPED; powering it off', row.uuid, host)
        with deps.db.reader() as session:
            instance = payloads.instance(session, row)
        reply = deps.agents.run_action(ctx, host, instance, 'stop', {})
        with deps.db.writer() as session:
            db_api.transition(session, row.uuid, vm_states=[states.STOPPED],
                              power_state=reply.get('power_state', power_state))


# What a guest whose server is gone from the host can be in: settled states.
_SETTLED = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED)


def _reconcile(deps, ctx, host, power_states, on_host, owned):
    action = deps.conf.conductor.running_deleted_instance_action
    for uuid in power_states:
        if uuid not in owned and action != 'noop':
            removing = action == 'reap'
            LOG.warning('Host %s runs a guest of server %s, which is not on it; %s', host,
                        uuid, 'removing it' if removing else 'leaving it')
            if removing:
                deps.agents.destroy(ctx, host, {'uuid': uuid}, wait=False)
    for uuid, row in on_host.items():
        if row.task_state is None and row.vm_state in _SETTLED and uuid not in power_states:
            message = f'The guest of this server is gone from host {host}.'
            LOG.warning('Server %s: %s', uuid, message)
            with deps.db.writer() as session:
                if db_api.transition(session, uuid, vm_states=[row.vm_state],
                                     where=(m.Instance.host == host,),
                                     vm_state=states.ERROR, power_state=states.NOSTATE):
                    db_api.add_fault(session, uuid, 500, message, host=host)
    for uuid, row in on_host.items():
        if (row.vm_state, row.task_state) == (states.BUILDING, states.SPAWNING) and \
                uuid not in power_states:
            with deps.db.reader() as session:
                build_ctx = events.context_of_last_action(session, uuid, 'create')
            build.spawned(deps, build_ctx, uuid, host, False,
                          error=f'Host {host} restarted while it built the server.')
