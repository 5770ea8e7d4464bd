"""Resize, and its confirm and revert (Nova's cold resize).

1. **Claim.**  The new flavor is claimed on another host when the source
   host can send its disks there (its driver reports ``cross_host_resize``;
   the libvirt driver cannot without shared storage), else on the source
   host itself, whose allocation grows to the larger of the two sizes in
   one conditional UPDATE, so that neither confirm nor revert can lack room.
   A server with volumes stays on its host: their ``connection_info`` was
   given for it, and moving them (a connection for the new host, then
   giving the old one back) is not done yet.  On its host the guest is
   built again with the ``connection_info`` its mappings keep.
2. **Source** (``resize_migrating``): the agent powers the guest off and
   sets its disks aside (``migrate_disk_and_power_off``).
3. **Destination** (``resize_finish``): the agent builds the guest from
   those disks with the new flavor (``finish_migration``), running unless
   the server was stopped: as in Nova, a server resized while stopped
   stays stopped.
4. The server waits in ``resized`` (VERIFY_RESIZE) with ``host`` = the
   destination (as Nova shows it), ``migration_host`` = the source,
   ``flavor`` = new and ``old_flavor`` = old.

Confirm drops what the source set aside and its claim (on one host: the
allocation shrinks to the new size).  Revert removes the destination's
guest and claim and brings the set-aside guest back with the old flavor on
the source (``finish_revert_migration``).  A flavor whose disks are smaller
is refused before anything happens (Nova's "Unable to resize disk down").
A failure before the server is resized puts the guest back where it was,
running again if it ran, and gives the claim back, all before the task is
cleared; if the guest cannot be put back the server goes to ERROR, as it
does when a revert fails (a confirm could then drop the disks set aside).
"""
import json
import logging

import sqlalchemy as sa

from compute import rpcapi
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


def _node(session, host):
    """The compute node row of ``host`` (``None`` if it never reported)."""
    return session.execute(sa.select(m.ComputeNode).where(
        m.ComputeNode.host == host)).scalar_one_or_none()


def _moves_disks_away(session, host):
    node = _node(session, host)
    return bool(node and json.loads(node.capabilities or '{}').get('cross_host_resize', True))


def _larger(first, second):
    return {name: max(first[name], second[name]) for name in first}


def _claim(deps, uuid, source, spec, old_resources, new_resources, elsewhere):
    """Claim the new size: on another host if ``elsewhere`` and one fits, else on
    ``source``.  :returns: the destination host.  :raises NoValidHost:"""
    scheduler = deps.scheduler
    if elsewhere:
        try:
            return scheduler.select_and_claim(deps.db, deps.conf, uuid, new_resources, spec,
                                              exclude_hosts=(source,)).host
        except scheduler.NoValidHost:
            LOG.info('No other host fits server %s; resizing it on %s', uuid, source)
    scheduler.claims.resize_allocation(deps.db, uuid, source,
                                       _larger(old_resources, new_resources))
    return source


def _give_back(deps, uuid, source, dest, resources):
    """Undo a claim on ``dest``: release it, or on one host shrink it to ``resources``
    (unless a delete released it first)."""
    if dest == source:
        try:
            deps.scheduler.claims.resize_allocation(deps.db, uuid, source, resources)
        except deps.scheduler.NoValidHost:
            LOG.info('Server %s holds nothing on %s any more (deleted?)', uuid, source)
    else:
        with deps.db.writer() as session:
            teardown.release_claim(deps, session, uuid, dest)


def _image_meta(deps, ctx, row):
    """The server's image as the agent needs it: the one stored at create, else asked for.

    A server booted from a volume has no ``image_ref``; its stored image is
    the one its volume was made from (its kernel and ramdisk still boot it).

    :raises Exception: the image service could not give it.
    """
    stored = json.loads(row.request_spec or '{}').get('image') or {}
    if not row.image_ref or stored.get('id') == row.image_ref:
        return stored
    return deps.images.get(ctx, row.image_ref)


def _refuse(deps, ctx, uuid, message):
    """End a resize that could not start: the server stays as it is, with a fault."""
    with deps.db.writer() as session:
        events.record(session, ctx, uuid, PREP_EVENT, events.ERROR, details=message)
    fail(deps, ctx, uuid, MIGRATING, PREP_EVENT, message)


def resize(deps, ctx, uuid, new_flavor):
    with deps.db.reader() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.task_state != states.RESIZE_PREP or not row.host:
            LOG.info('Server %s is not waiting for a resize; ignored', uuid)
            return
        source, old_flavor = row.host, json.loads(row.flavor)
        spec = dict(json.loads(row.request_spec or '{}'),
                    flavor_extra_specs=new_flavor.get('extra_specs') or {})
        elsewhere = (_moves_disks_away(session, source)
                     and not db_api.volume_mappings(session, uuid))
        image_backed = bool(row.image_ref)
    shrinks = ((image_backed and new_flavor['disk'] < old_flavor['disk'])
               or (new_flavor.get('ephemeral') or 0) < (old_flavor.get('ephemeral') or 0))
    if shrinks:  # refused before the guest is stopped, in Nova's words
        _refuse(deps, ctx, uuid, 'Unable to resize disk down.')
        return
    old_resources, new_resources = payloads.resources(old_flavor), payloads.resources(new_flavor)
    try:
        dest = _claim(deps, uuid, source, spec, old_resources, new_resources, elsewhere)
    except deps.scheduler.NoValidHost as exc:
        _refuse(deps, ctx, uuid, exc.message)
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
                      'block_devices': payloads.block_devices(session, uuid),
                      'power_on': not was_stopped}
    if not moved:
        _give_back(deps, uuid, source, dest, old_resources)
        return
    reply, failure = _move(deps, ctx, uuid, source, dest, old_instance, new_instance, params)
    if reply is None:
        # The task stays set until all is undone: no other action may start
        # on a guest being put back, nor take the claim being given back.
        _give_back(deps, uuid, source, dest, old_resources)
        if failure is not None:
            event, message, restored = failure
            fail(deps, ctx, uuid, MIGRATING, event, message, migration_host=None,
                 new_flavor=None, **({} if restored else {'vm_state': states.ERROR}))
        return
    with deps.db.reader() as session:
        node = _node(session, dest)
    finish(deps, ctx, uuid, [states.RESIZE_FINISH], FINISH_EVENT, 'finish_resize',
           vm_state=states.RESIZED, power_state=reply['power_state'], host=dest,
           node=node.hypervisor_hostname if node else dest, migration_host=source,
           flavor=json.dumps(new_flavor), old_flavor=json.dumps(old_flavor), new_flavor=None,
           **payloads.flavor_columns(new_flavor))


def _order(deps, ctx, host, instance, action, params):
    """The agent's reply to ``action``; ``{"error": …, "unanswered": True}`` when it did
    not answer (it may then have done it, or not)."""
    try:
        return deps.agents.run_action(ctx, host, instance, action, params)
    except rpcapi.Timeout:
        return {'error': f'Host {host} did not answer within '
                         f'{deps.conf.conductor.agent_timeout} seconds.', 'unanswered': True}
    except Exception as exc:  # the bus refused the message
        return {'error': f'Could not reach host {host}: {exc}', 'unanswered': True}


def _move(deps, ctx, uuid, source, dest, old_instance, new_instance, params):
    """Set the disks aside on ``source``, build the guest on ``dest``.

    :returns: ``(reply, None)`` with the destination agent's reply, or
        ``(None, failure)``: ``failure`` is ``(event, message, restored)``
        (the guest is back on ``source`` as it was, or ``restored`` is
        False), or ``None`` when a delete took the server meanwhile.
    """
    reply = _order(deps, ctx, source, old_instance, 'migrate_disk_and_power_off',
                   {'dest_host': dest})
    if 'error' in reply:
        # A driver that refused left the guest as it was; one that did not
        # answer may have set its disks aside: put them back (idempotent).
        restored = (not reply.get('unanswered')
                    or _restore_source(deps, ctx, uuid, source, dest, old_instance, params))
        return None, (RESIZE_EVENT, reply['error'], restored)
    with deps.db.writer() as session:
        moved = db_api.transition(session, uuid, task_states=MIGRATING,
                                  task_state=states.RESIZE_FINISH)
        if moved:
            events.finish(session, ctx, uuid, RESIZE_EVENT, events.SUCCESS)
            events.start(session, ctx, uuid, FINISH_EVENT, host=dest)
            row = db_api.get_instance(session, uuid)
    if not moved:  # deleted meanwhile: the delete removed its guests and claims
        LOG.info('Server %s changed while its disks were set aside; not building it on %s',
                 uuid, dest)
        return None, None
    deps.notify(ctx, 'resize.end', row)
    try:
        params['image_meta'] = _image_meta(deps, ctx, row)
    except Exception as exc:  # the image is gone or the image service is down
        restored = _restore_source(deps, ctx, uuid, source, dest, old_instance, params)
        return None, (FINISH_EVENT, getattr(exc, 'message', str(exc)), restored)
    finished = _order(deps, ctx, dest, new_instance, 'finish_migration',
                      dict(params, disk_info=reply['disk_info']))
    if 'error' in finished:
        restored = _restore_source(deps, ctx, uuid, source, dest, old_instance, params)
        return None, (FINISH_EVENT, finished['error'], restored)
    return finished, None


def _restore_source(deps, ctx, uuid, source, dest, old_instance, params):
    """After a failed move, bring the guest back on ``source`` as it was.

    A guest the destination may have built (it did not answer) is removed
    first.  :returns: whether the source guest stands again.
    """
    if dest != source:
        try:
            deps.agents.destroy(ctx, dest, old_instance)
        except Exception:  # its next start removes a guest of a server not on it
            LOG.exception('Could not remove server %s from %s after a failed resize', uuid,
                          dest)
    reply = _order(deps, ctx, source, old_instance, 'finish_revert_migration', params)
    if 'error' in reply:
        LOG.error('Could not restore server %s on %s after a failed resize: %s', uuid, source,
                  reply['error'])
        return False
    with deps.db.writer() as session:
        db_api.transition(session, uuid, task_states=db_api.ANY,
                          power_state=reply['power_state'])
    return True


def confirm(deps, ctx, uuid):
    """Keep the new size: the source drops what it set aside, and its claim goes."""
    tasks = (None, states.RESIZE_CONFIRMING)
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.vm_state != states.RESIZED or row.task_state not in tasks:
            LOG.info('Server %s is not waiting for a resize confirmation; ignored', uuid)
            return
        dest, source = row.host, row.migration_host or row.host
        events.start(session, ctx, uuid, CONFIRM_EVENT, host=source)
        old_instance = payloads.instance(session, row,
                                         flavor=json.loads(row.old_flavor or row.flavor))
        new_resources = payloads.resources(json.loads(row.flavor))
        vm_state = states.STOPPED if row.power_state == states.SHUTDOWN else states.ACTIVE
    if call_agent(deps, ctx, uuid, source, old_instance, 'confirm_migration', {}, tasks,
                  CONFIRM_EVENT) is None:
        return
    if dest == source:
        _give_back(deps, uuid, source, dest, new_resources)
    else:
        _release(deps, uuid, source)
    finish(deps, ctx, uuid, tasks, CONFIRM_EVENT, 'resize.confirm', vm_states=[states.RESIZED],
           vm_state=vm_state, migration_host=None, old_flavor=None)


def _release(deps, uuid, host):
    with deps.db.writer() as session:
        teardown.release_claim(deps, session, uuid, host)


def revert(deps, ctx, uuid):
    """Go back to the old size on the source host."""
    tasks = (states.RESIZE_REVERTING,)
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.vm_state != states.RESIZED or row.task_state not in tasks:
            LOG.info('Server %s is not waiting for a resize revert; ignored', uuid)
            return
        dest, source = row.host, row.migration_host or row.host
        old_flavor = json.loads(row.old_flavor or row.flavor)
        events.start(session, ctx, uuid, REVERT_EVENT, host=dest)
        new_instance = payloads.instance(session, row)
        old_instance = payloads.instance(session, row, flavor=old_flavor)
        was_stopped = row.power_state == states.SHUTDOWN
        params = {'network_info': json.loads(row.network_info or '[]'),
                  'block_devices': payloads.block_devices(session, uuid),
                  'power_on': not was_stopped}
        source_node = _node(session, source)
    try:
        params['image_meta'] = _image_meta(deps, ctx, row)
    except Exception as exc:  # the image is gone or the image service is down
        fail(deps, ctx, uuid, tasks, REVERT_EVENT, getattr(exc, 'message', str(exc)))
        return
    if dest != source:
        try:
            deps.agents.destroy(ctx, dest, new_instance)
        except Exception as exc:  # the destination did not answer; like Nova, ERROR
            fail(deps, ctx, uuid, tasks, REVERT_EVENT,
                 f'Could not remove the server from host {dest}: {exc}', vm_state=states.ERROR)
            return
        _release(deps, uuid, dest)
    back_on_source = {'host': source, 'migration_host': None,
                      'node': source_node.hypervisor_hostname if source_node else source,
                      'flavor': json.dumps(old_flavor), 'old_flavor': None,
                      **payloads.flavor_columns(old_flavor)}
    reply = _order(deps, ctx, source, old_instance, 'finish_revert_migration', params)
    if 'error' in reply:
        # As Nova: ERROR, so that nobody can confirm a resize whose revert
        # went half-way (the disks set aside may be all the server has).
        fail(deps, ctx, uuid, tasks, REVERT_EVENT, reply['error'], vm_state=states.ERROR,
             **(back_on_source if dest != source else {}))
        return
    if dest == source:
        _give_back(deps, uuid, source, dest, payloads.resources(old_flavor))
    finish(deps, ctx, uuid, tasks, REVERT_EVENT, 'resize.revert', vm_states=[states.RESIZED],
           vm_state=states.STOPPED if was_stopped else states.ACTIVE,
           power_state=reply['power_state'], **back_on_source)
