"""Resize, and its confirm and revert.

Resize claims the new flavor on another host when one fits (the server
then holds two allocations), else on its own host (the allocation is
swapped for the new size).  The source guest is powered off, the new one
spawned on the destination, and the server waits in ``resized``
(VERIFY_RESIZE) with ``flavor`` = new, ``old_flavor`` = old,
``host`` = source and ``migration_host`` = destination.  Confirm removes
the source guest and its claim and moves ``host``; revert removes the
destination guest and its claim and powers the source back on.  As in
Nova, a server resized while stopped stays stopped.
"""
import json
import logging

import sqlalchemy as sa

from compute import states
from compute.conductor import events
from compute.conductor import payloads
from compute.conductor import teardown
from compute.conductor.outcomes import call_agent, fail, finish
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
PREP_EVENT = 'compute_prep_resize'
RESIZE_EVENT = 'compute_resize_instance'
FINISH_EVENT = 'compute_finish_resize'
CONFIRM_EVENT = 'compute_confirm_resize'
REVERT_EVENT = 'compute_revert_resize'
MIGRATING = (states.RESIZE_PREP, states.RESIZE_MIGRATING, states.RESIZE_MIGRATED,
             states.RESIZE_FINISH)


def _claim(deps, uuid, source, resources, spec, old_resources):
    """Claim ``resources`` elsewhere, else on ``source``.  :returns: (host, same_host)."""
    scheduler = deps.scheduler
    try:
        claim = scheduler.select_and_claim(deps.db, deps.conf, uuid, resources, spec,
                                           exclude_hosts=(source,))
        return claim.host, False
    except scheduler.NoValidHost:
        LOG.info('No other host fits server %s; resizing it on %s', uuid, source)
    with deps.db.writer() as session:
        teardown.release_claim(deps, session, uuid, source)
    try:
        scheduler.claims.claim_on_host(deps.db, deps.conf, uuid, resources, source)
    except scheduler.NoValidHost:
        scheduler.claims.claim_on_host(deps.db, deps.conf, uuid, old_resources, source)
        raise
    return source, True


def _swap_claim(deps, uuid, host, resources):
    """On a one-host resize, replace the server's allocation on ``host`` by ``resources``."""
    with deps.db.writer() as session:
        teardown.release_claim(deps, session, uuid, host)
    deps.scheduler.claims.claim_on_host(deps.db, deps.conf, uuid, resources, host)


def resize(deps, ctx, uuid, new_flavor):
    with deps.db.reader() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.task_state != states.RESIZE_PREP or not row.host:
            LOG.info('Server %s is not waiting for a resize; ignored', uuid)
            return
        source, old_flavor = row.host, json.loads(row.flavor)
        spec = dict(json.loads(row.request_spec or '{}'),
                    flavor_extra_specs=new_flavor.get('extra_specs') or {})
    try:
        dest, same_host = _claim(deps, uuid, source, payloads.resources(new_flavor), spec,
                                 payloads.resources(old_flavor))
    except deps.scheduler.NoValidHost as exc:
        with deps.db.writer() as session:
            events.record(session, ctx, uuid, PREP_EVENT, events.ERROR, details=exc.message)
        fail(deps, ctx, uuid, MIGRATING, PREP_EVENT, exc.message)
        return
    with deps.db.writer() as session:
        moved = db_api.transition(session, uuid, task_states=[states.RESIZE_PREP],
                                  task_state=states.RESIZE_MIGRATING, migration_host=dest,
                                  new_flavor=json.dumps(new_flavor))
        if moved:
            events.record(session, ctx, uuid, PREP_EVENT, events.SUCCESS, host=dest)
            events.start(session, ctx, uuid, RESIZE_EVENT, host=source)
            row = db_api.get_instance(session, uuid)
            was_stopped = row.vm_state == states.STOPPED
            old_instance = payloads.instance(session, row)
            new_instance = payloads.instance(session, row, flavor=new_flavor)
            params = {'network_info': json.loads(row.network_info or '[]'),
                      'block_devices': payloads.block_devices(session, uuid)}
    if not moved:
        _undo_claim(deps, uuid, dest, same_host, old_flavor)
        return
    reply = _move(deps, ctx, uuid, source, dest, old_instance, new_instance, params,
                  was_stopped)
    if reply is None:
        _undo_claim(deps, uuid, dest, same_host, old_flavor)
        with deps.db.writer() as session:
            db_api.transition(session, uuid, task_states=db_api.ANY, migration_host=None,
                              new_flavor=None)
        return
    finish(deps, ctx, uuid, [states.RESIZE_FINISH], FINISH_EVENT, 'finish_resize',
           vm_state=states.RESIZED, power_state=reply['power_state'],
           flavor=json.dumps(new_flavor), old_flavor=json.dumps(old_flavor), new_flavor=None,
           **payloads.flavor_columns(new_flavor))


def _undo_claim(deps, uuid, dest, same_host, old_flavor):
    """Give back the claim a failed resize made on ``dest``."""
    if same_host:
        _swap_claim(deps, uuid, dest, payloads.resources(old_flavor))
    else:
        with deps.db.writer() as session:
            teardown.release_claim(deps, session, uuid, dest)


def _move(deps, ctx, uuid, source, dest, old_instance, new_instance, params, was_stopped):
    """Power off on ``source``, spawn on ``dest``.

    :returns: the destination agent's last reply, or ``None`` on a failure
        (recorded; the source guest is powered back on if it ran).
    """
    if call_agent(deps, ctx, uuid, source, old_instance, 'stop', {}, MIGRATING,
                  RESIZE_EVENT) is None:
        return None
    with deps.db.writer() as session:
        db_api.transition(session, uuid, task_states=MIGRATING, task_state=states.RESIZE_FINISH)
        events.finish(session, ctx, uuid, RESIZE_EVENT, events.SUCCESS)
        events.start(session, ctx, uuid, FINISH_EVENT, host=dest)
        row = db_api.get_instance(session, uuid)
    deps.notify(ctx, 'resize.end', row)
    image_ref = new_instance['image_ref']
    try:
        params['image_meta'] = deps.images.get(ctx, image_ref) if image_ref else {}
    except Exception as exc:  # the image is gone or the image service is down
        fail(deps, ctx, uuid, MIGRATING, FINISH_EVENT, getattr(exc, 'message', str(exc)),
             vm_state=states.ERROR)
        return None
    reply = call_agent(deps, ctx, uuid, dest, new_instance, 'spawn', params, MIGRATING,
                       FINISH_EVENT)
    if reply is not None and was_stopped:
        reply = call_agent(deps, ctx, uuid, dest, new_instance, 'stop', {}, MIGRATING,
                           FINISH_EVENT)
    if reply is None and not was_stopped:
        _restart_source(deps, ctx, uuid, source, old_instance, dest)
    return reply


def _restart_source(deps, ctx, uuid, source, old_instance, dest):
    """After a failed spawn on ``dest``, run the server where it was (best effort)."""
    try:
        if dest != source:
            deps.agents.destroy(ctx, dest, old_instance)
            reply = deps.agents.run_action(ctx, source, old_instance, 'start', {})
        else:
            reply = deps.agents.run_action(ctx, source, old_instance, 'spawn', {})
    except Exception:  # the fault of the resize is already recorded
        LOG.exception('Could not restart server %s on %s after a failed resize', uuid, source)
        return
    with deps.db.writer() as session:
        db_api.transition(session, uuid, task_states=db_api.ANY,
                          power_state=reply.get('power_state', states.NOSTATE))


def _node_name(session, host):
    return session.execute(sa.select(m.ComputeNode.hypervisor_hostname).where(
        m.ComputeNode.host == host)).scalar_one_or_none() or host


def confirm(deps, ctx, uuid):
    """Keep the new size: remove the source guest and claim; the server lives on the destination."""
    tasks = (None, states.RESIZE_CONFIRMING)
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.vm_state != states.RESIZED or row.task_state not in tasks:
            LOG.info('Server %s is not waiting for a resize confirmation; ignored', uuid)
            return
        source, dest = row.host, row.migration_host or row.host
        events.start(session, ctx, uuid, CONFIRM_EVENT, host=source)
        instance = payloads.instance(session, row, flavor=json.loads(row.old_flavor or row.flavor))
        vm_state = states.STOPPED if row.power_state == states.SHUTDOWN else states.ACTIVE
        node = _node_name(session, dest)
    if dest != source:
        try:
            deps.agents.destroy(ctx, source, instance)
        except Exception as exc:  # the source host did not answer; like Nova, ERROR
            fail(deps, ctx, uuid, tasks, CONFIRM_EVENT,
                 f'Could not remove the server from host {source}: {exc}',
                 vm_state=states.ERROR)
            return
    with deps.db.writer() as session:
        if dest != source:
            teardown.release_claim(deps, session, uuid, source)
    finish(deps, ctx, uuid, tasks, CONFIRM_EVENT, 'resize.confirm', vm_states=[states.RESIZED],
           vm_state=vm_state, host=dest, node=node, migration_host=None, old_flavor=None)


def revert(deps, ctx, uuid):
    """Go back to the old size on the source host."""
    tasks = (states.RESIZE_REVERTING,)
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.vm_state != states.RESIZED or row.task_state not in tasks:
            LOG.info('Server %s is not waiting for a resize revert; ignored', uuid)
            return
        source, dest = row.host, row.migration_host or row.host
        old_flavor = json.loads(row.old_flavor or row.flavor)
        events.start(session, ctx, uuid, REVERT_EVENT, host=dest)
        new_instance = payloads.instance(session, row)
        old_instance = payloads.instance(session, row, flavor=old_flavor)
        was_stopped = row.power_state == states.SHUTDOWN
        params = {'network_info': json.loads(row.network_info or '[]'),
                  'block_devices': payloads.block_devices(session, uuid)}
    if dest != source:
        try:
            deps.agents.destroy(ctx, dest, new_instance)
        except Exception as exc:  # the destination did not answer; like Nova, ERROR
            fail(deps, ctx, uuid, tasks, REVERT_EVENT,
                 f'Could not remove the server from host {dest}: {exc}', vm_state=states.ERROR)
            return
        with deps.db.writer() as session:
            teardown.release_claim(deps, session, uuid, dest)
        reply = call_agent(deps, ctx, uuid, source, old_instance,
                           'stop' if was_stopped else 'start', {}, tasks, REVERT_EVENT)
    else:
        _swap_claim(deps, uuid, source, payloads.resources(old_flavor))
        reply = call_agent(deps, ctx, uuid, source, old_instance, 'spawn', params, tasks,
                           REVERT_EVENT)
        if reply is not None and was_stopped:
            reply = call_agent(deps, ctx, uuid, source, old_instance, 'stop', {}, tasks,
                               REVERT_EVENT)
    if reply is None:
        return
    finish(deps, ctx, uuid, tasks, REVERT_EVENT, 'resize.revert', vm_states=[states.RESIZED],
           vm_state=states.STOPPED if was_stopped else states.ACTIVE,
           power_state=reply['power_state'], flavor=json.dumps(old_flavor), old_flavor=None,
           migration_host=None, **payloads.flavor_columns(old_flavor))
