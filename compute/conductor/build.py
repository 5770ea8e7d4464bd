"""Building servers: claim a host, make ports, fetch the image, spawn, retry elsewhere.

The walk of one server (vm_state ``building`` throughout)::

    scheduling --claim--> networking --ports--> spawning --agent spawn--> active
        ^                                            |    (and ports wired)
        +------ failure on the host (attempts left) --+--> error (with a fault)

Every step is a conditional transition from the state the previous one
left, on the host that was claimed.  Whoever changes the server in the
meantime (a delete sets ``deleting``; a timeout moves it off the host)
makes the next transition fail, and the build then gives back what it
took itself: the claim, the ports, a guest that came up late.  The
delete gives back what the build had recorded.  Each resource is
released by whichever side sees it last, and releasing twice is harmless,
so nothing leaks whoever wins.

A server with volumes has them made, reserved and connected to the host
just before the spawn, and completed when the guest runs
(``compute.conductor.boot_volumes``); a failure on a host gives their
attachments back with the claim and the ports.

The spawn is cast; the agent answers with ``instance_event`` (``spawned``
below).  A host that never answers is caught by ``fail_stuck_builds``
after ``[conductor] build_timeout``.  A server whose ports the network
service made DOWN goes ACTIVE only once they are wired as well
(``compute.conductor.vif_plugging``): until then it stays ``spawning``
with ``spawned_at`` set.
"""
import dataclasses
import datetime
import json
import logging

import sqlalchemy as sa

from common import exceptions
from compute import network as network_mod
from compute import states
from compute import zones
from compute.conductor import boot_volumes
from compute.conductor import events
from compute.conductor import payloads
from compute.conductor import teardown
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)

EVENT = 'compute__do_build_and_run_instance'
SCHEDULE_EVENT = 'conductor_schedule_and_build_instances'
MAX_RETRIES = ('Exceeded maximum number of retries. Exhausted all hosts available for '
               'retrying build failures for instance %s.')
FAULT_CODE = 500


@dataclasses.dataclass
class HostFailure:
    """A build failed on ``host`` for ``message``; ``retry`` elsewhere or not.

    :ivar details: what the fault's details say when the server goes to ERROR
        without a retry (the message alone otherwise).
    """
    host: str
    message: str
    retry: bool = True
    details: str | None = None


def build_instances(deps, ctx, instance_uuids):
    """Start building each server; a failure of one does not stop the others."""
    for uuid in instance_uuids:
        try:
            schedule(deps, ctx, uuid)
        except Exception as exc:  # any bug must end in ERROR, never in BUILD forever
            LOG.exception('Build of server %s failed', uuid)
            to_error(deps, ctx, uuid, f'Build of instance {uuid} aborted: {exc}',
                     task_states=db_api.ANY)


def schedule(deps, ctx, uuid):
    """Attempts until one casts a spawn, the server errors out, or another request wins."""
    while True:
        failure = _attempt(deps, ctx, uuid)
        if failure is None or not reschedule(deps, ctx, uuid, failure):
            return


def _attempt(deps, ctx, uuid):
    """Claim, make ports, cast the spawn.  :returns: a ``HostFailure`` or ``None``."""
    with deps.db.reader() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or (row.vm_state, row.task_state) != (states.BUILDING,
                                                             states.SCHEDULING):
            LOG.info('Server %s is no longer waiting to be scheduled', uuid)
            return None
        spec = json.loads(row.request_spec or '{}')
        resources = payloads.resources(json.loads(row.flavor))
        networks = {'requested_networks': json.loads(row.requested_networks or '[]'),
                    'security_groups': json.loads(row.security_groups or '[]')}
    try:
        claim = deps.scheduler.select_and_claim(
            deps.db, deps.conf, uuid, resources, spec,
            exclude_hosts=tuple(spec.get('ignore_hosts') or ()))
    except deps.scheduler.NoValidHost as exc:
        LOG.info('No host for server %s: %s', uuid, exc.message)
        to_error(deps, ctx, uuid, exc.message, details=spec.get('last_error'),
                 event=SCHEDULE_EVENT)
        return None
    with deps.db.writer() as session:
        # As Nova: a server that asked for no zone is in its host's from now on.
        networks['zone'] = (spec.get('availability_zone')
                            or zones.zone_of_host(session, deps.conf, claim.host))
        if not db_api.transition(session, uuid, vm_states=[states.BUILDING],
                                 task_states=[states.SCHEDULING], task_state=states.NETWORKING,
                                 host=claim.host, node=claim.hypervisor_hostname,
                                 availability_zone=networks['zone']):
            deps.scheduler.claims.release(session, uuid, node_id=claim.node_id)
            return None
        events.start(session, ctx, uuid, EVENT, host=claim.host)
    return _make_ports_and_spawn(deps, ctx, uuid, claim.host, networks, spec.get('image'))


def _make_ports(deps, ctx, uuid, host, networks):
    """``(ports, network_info)``; nothing stays allocated when it raises."""
    if networks['requested_networks'] == 'none':
        return [], []
    ports = deps.network.allocate_ports(ctx, uuid, networks['requested_networks'],
                                        networks['security_groups'], zone=networks['zone'],
                                        host=host)
    try:
        nets = deps.network.list_networks(ctx, [p['network_id'] for p in ports])
    except Exception:
        teardown.deallocate_ports(deps, ctx, uuid, ports)
        raise
    return ports, network_mod.network_info(ports, nets)


def _make_ports_and_spawn(deps, ctx, uuid, host, networks, image_meta):
    """:param image_meta: the image as the API found it at create (``request_spec``),
        or ``None`` to ask the image service (servers stored without it)."""
    try:
        ports, network_info = _make_ports(deps, ctx, uuid, host, networks)
    except Exception as exc:  # the network service refused or is down
        LOG.warning('Ports for server %s failed: %s', uuid, exc)
        # A request the network service refuses fails the same on any host.
        refused = isinstance(exc, exceptions.StratusError) and exc.code < 500
        return HostFailure(host, 'Failed to allocate the network(s): '
                                 f'{getattr(exc, "message", None) or exc}', retry=not refused)
    with deps.db.writer() as session:
        moved_on = not db_api.transition(
            session, uuid, vm_states=[states.BUILDING], task_states=[states.NETWORKING],
            where=(m.Instance.host == host,), task_state=states.SPAWNING,
            network_info=json.dumps(network_info))
        if moved_on:
            teardown.release_claim(deps, session, uuid, host)
        else:
            teardown.record_ports(session, uuid, ports)
            row = db_api.get_instance(session, uuid)
            instance = payloads.instance(session, row)
            block_devices = payloads.block_devices(session, uuid)
    if moved_on:
        teardown.deallocate_ports(deps, ctx, uuid, ports)
        return None
    if not instance['image_ref']:
        # Booted from a volume: the image of that volume, as the API stored it, if any.
        image_meta = image_meta or {}
    elif image_meta is None:
        try:
            image_meta = deps.images.get(ctx, instance['image_ref'])
        except Exception as exc:  # the image is gone or the image service is down
            return HostFailure(host, getattr(exc, 'message', None) or str(exc), retry=False)
    if any(bd['destination_type'] == 'volume' for bd in block_devices):
        stop, failure = _connect_volumes(deps, ctx, uuid, host, block_devices)
        if stop:
            return failure
    try:
        deps.agents.spawn(ctx, host, instance, image_meta, network_info, block_devices)
    except Exception as exc:  # the bus refused the message
        return HostFailure(host, f'Could not reach host {host}: {exc}')
    return None


def _connect_volumes(deps, ctx, uuid, host, block_devices):
    """Prepare the server's volumes on ``host`` (``boot_volumes.connect``, which
    completes ``block_devices``).

    :returns: ``(stop, failure)``: ``(False, None)`` to spawn; ``(True, None)``
        when a delete took the server meanwhile (what was made is given
        back); ``(True, HostFailure)`` when the volume service failed.
    """
    failure = None
    try:
        boot_volumes.connect(deps, ctx, uuid, host, block_devices)
    except Exception as exc:  # the volume service refused, failed or is down
        LOG.warning('Volumes of server %s failed on %s: %s', uuid, host, exc)
        refused = isinstance(exc, exceptions.StratusError) and exc.code < 500
        failure = HostFailure(host, 'Failed to prepare the volume(s): '
                                    f'{getattr(exc, "message", None) or exc}',
                              retry=not refused)
    if boot_volumes.deleted_meanwhile(deps, uuid):
        LOG.info('Server %s was deleted while its volumes were prepared; giving them back',
                 uuid)
        boot_volumes.give_back(deps, ctx, uuid, block_devices)
        return True, None
    return failure is not None, failure


def reschedule(deps, ctx, uuid, failure):
    """Give back what the build holds on ``failure.host`` and go back to scheduling.

    :returns: True when another attempt should run; False when the server
        went to ERROR (no attempts left, or no retry) or another request
        (a delete, a timeout) took the server over.
    """
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.host != failure.host:
            return False
        spec = json.loads(row.request_spec or '{}')
        tried = list(spec.get('ignore_hosts') or []) + [failure.host]
        # The last failure is kept for the fault of a later "no valid host".
        spec.update(ignore_hosts=tried, num_attempts=len(tried), last_error=failure.message)
        if not db_api.transition(session, uuid, vm_states=[states.BUILDING],
                                 task_states=[states.NETWORKING, states.SPAWNING],
                                 where=(m.Instance.host == failure.host,),
                                 task_state=states.SCHEDULING, host=None, node=None,
                                 spawned_at=None, network_info='[]',
                                 request_spec=json.dumps(spec)):
            return False
        teardown.release_claim(deps, session, uuid, failure.host)
        ports = teardown.forget_ports(session, uuid)
        attachments = boot_volumes.forget_attachments(session, uuid)
        events.finish(session, ctx, uuid, EVENT, events.ERROR,
                      details=failure.details or failure.message)
    teardown.deallocate_ports(deps, ctx, uuid, ports)
    boot_volumes.release(deps, ctx, uuid, attachments)
    if not failure.retry:
        to_error(deps, ctx, uuid, failure.message, details=failure.details)
        return False
    if len(tried) >= deps.conf.scheduler.max_attempts:
        to_error(deps, ctx, uuid, MAX_RETRIES % uuid, details=failure.message)
        return False
    LOG.info('Build of server %s failed on %s (%s); trying another host', uuid,
             failure.host, failure.message)
    return True


def to_error(deps, ctx, uuid, message, details=None, event=None,
             task_states=(states.SCHEDULING,)):
    """End a build in ERROR with a fault, giving back anything still held."""
    with deps.db.writer() as session:
        if not db_api.transition(session, uuid, vm_states=[states.BUILDING],
                                 task_states=task_states, vm_state=states.ERROR,
                                 task_state=None):
            return
        db_api.add_fault(session, uuid, FAULT_CODE, message, details=details)
        if event is not None:
            events.record(session, ctx, uuid, event, events.ERROR, details=message)
        teardown.release_claim(deps, session, uuid)
        ports = teardown.forget_ports(session, uuid)
        attachments = boot_volumes.forget_attachments(session, uuid)
        # As Nova's build abort: volumes marked delete_on_termination go now.
        doomed = [(volume_id, None, True) for volume_id, _attachment, delete
                  in db_api.volume_mappings(session, uuid) if delete]
        row = db_api.get_instance(session, uuid)
    teardown.deallocate_ports(deps, ctx, uuid, ports)
    boot_volumes.release(deps, ctx, uuid, attachments)
    teardown.release_volumes(deps, ctx, uuid, doomed)
    deps.notify(ctx, 'create.error', row, message=message)


def unplugged_ports(deps, session, uuid):
    """Ids of the server's ports still to be wired before it may go ACTIVE
    (none when ``[compute] vif_plugging_timeout`` is 0: builds do not wait)."""
    if not deps.conf.compute.vif_plugging_timeout:
        return []
    return session.execute(sa.select(m.InstancePort.port_id).where(
        m.InstancePort.instance_uuid == uuid,
        m.InstancePort.vif_state == states.VIF_WAITING)
        .order_by(m.InstancePort.port_id)).scalars().all()


def activate(deps, session, ctx, uuid, host, power_state):
    """End the build of ``uuid`` on ``host`` in ACTIVE, in the caller's transaction.

    :returns: True when it was still building there (send ``create.end``
        after the commit); False when another request moved it on.
    """
    active = db_api.transition(
        session, uuid, vm_states=[states.BUILDING], task_states=[states.SPAWNING],
        where=(m.Instance.host == host,), vm_state=states.ACTIVE, task_state=None,
        power_state=power_state, launched_at=deps.now(), spawned_at=None)
    if active:
        events.finish(session, ctx, uuid, EVENT, events.SUCCESS)
    return active


def spawned(deps, ctx, uuid, host, ok, power_state=None, error=None):
    """The agent of ``host`` finished the spawn of server ``uuid``: the server goes
    ACTIVE, or waits in ``spawning`` for its ports to be wired."""
    if ok:
        try:
            boot_volumes.complete(deps, ctx, uuid)
        except Exception as exc:  # the guest cannot keep volumes the service did not give
            LOG.warning('Volumes of server %s could not be completed: %s', uuid, exc)
            deps.agents.destroy(ctx, host, {'uuid': uuid}, wait=False)
            ok, error = False, ('Failed to complete the attachment of the volume(s): '
                                f'{getattr(exc, "message", None) or exc}')
    if not ok:
        if reschedule(deps, ctx, uuid, HostFailure(host, error or 'Spawn failed.')):
            schedule(deps, ctx, uuid)
        return
    power_state = power_state or states.RUNNING
    with deps.db.writer() as session:
        # Locked first, as a network-vif-plugged event does (``vif_plugging``).
        db_api.lock_instance(session, uuid)
        waiting = unplugged_ports(deps, session, uuid)
        if waiting:
            if db_api.transition(session, uuid, vm_states=[states.BUILDING],
                                 task_states=[states.SPAWNING],
                                 where=(m.Instance.host == host,), spawned_at=deps.now(),
                                 power_state=power_state):
                LOG.info('Guest of server %s spawned on %s; waiting for ports %s to be '
                         'wired', uuid, host, ', '.join(waiting))
                return
            active = False
        else:
            active = activate(deps, session, ctx, uuid, host, power_state)
        row = db_api.get_instance(session, uuid, include_deleted=True)
    if active:
        deps.notify(ctx, 'create.end', row)
        return
    # The server was deleted, or moved on, while the guest came up: remove it.
    if row is None or row.deleted_at is not None or row.host != host or \
            row.task_state == states.DELETING:
        LOG.info('Removing the guest of server %s from %s: the server no longer '
                 'builds there', uuid, host)
        deps.agents.destroy(ctx, host, {'uuid': uuid}, wait=False)


def fail_stuck_builds(deps):
    """Count a spawn that took longer than ``[conductor] build_timeout`` as failed."""
    timeout = deps.conf.conductor.build_timeout
    if not timeout:
        return
    cutoff = deps.now() - datetime.timedelta(seconds=timeout)
    with deps.db.reader() as session:
        stuck = session.execute(sa.select(m.Instance.uuid, m.Instance.host).where(
            m.Instance.vm_state == states.BUILDING, m.Instance.task_state == states.SPAWNING,
            m.Instance.spawned_at.is_(None),  # spawned, waiting for ports: vif_plugging
            m.Instance.deleted_at.is_(None), m.Instance.updated_at < cutoff)).all()
        contexts = {uuid: events.context_of_last_action(session, uuid, 'create')
                    for uuid, _host in stuck}
    for uuid, host in stuck:
        LOG.warning('Spawn of server %s on %s timed out', uuid, host)
        spawned(deps, contexts[uuid], uuid, host, False,
                error=f'Build of instance {uuid} timed out after {timeout} seconds on '
                      f'host {host}.')
