"""Server actions the API started: the agent's part, then the final states.

The API has set the action's task_state (``powering-off`` …) and recorded
the instance action; the conductor records the step as an event, calls
the agent of the server's host and sets the states Nova sets.  A failure
the agent reports leaves the server as it was (task cleared) with a fault;
an agent that does not answer within ``[conductor] agent_timeout`` leaves
the server in ERROR with a fault, since nobody knows what state it is in.
A snapshot that does not end well, for whatever reason, deletes the image
the API made for it, as Nova's ``delete_image_on_error`` does (the agent
already deletes it when only the upload failed; a second delete is harmless).

Resize and delete have their own modules (``resize``, ``delete``); the
others are one agent order each (``SIMPLE``), and the endings are in
``outcomes``.
"""
import dataclasses
import json
import logging

from compute import states
from compute.conductor import delete
from compute.conductor import events
from compute.conductor import payloads
from compute.conductor import resize
from compute.conductor.outcomes import call_agent, fail, finish
from compute.db import api as db_api

LOG = logging.getLogger(__name__)
_REBOOT_TASKS = (states.REBOOTING, states.REBOOT_PENDING, states.REBOOT_STARTED,
                 states.REBOOTING_HARD, states.REBOOT_PENDING_HARD, states.REBOOT_STARTED_HARD)


@dataclasses.dataclass(frozen=True)
class Simple:
    """An action that is one agent order followed by one state change.

    :ivar tasks: the task_states the API may have set for it.
    :ivar event: the instance-action event (Nova's name).
    :ivar notification: ``compute.instance.<notification>.end``.
    :ivar vm_state: the vm_state on success.
    """
    tasks: tuple
    event: str
    notification: str
    vm_state: str


SIMPLE = {
    'stop': Simple((states.POWERING_OFF,), 'compute_stop_instance', 'power_off',
                   states.STOPPED),
    'start': Simple((states.POWERING_ON,), 'compute_start_instance', 'power_on', states.ACTIVE),
    'reboot': Simple(_REBOOT_TASKS, 'compute_reboot_instance', 'reboot', states.ACTIVE),
    'pause': Simple((states.PAUSING,), 'compute_pause_instance', 'pause', states.PAUSED),
    'unpause': Simple((states.UNPAUSING,), 'compute_unpause_instance', 'unpause',
                      states.ACTIVE),
    'suspend': Simple((states.SUSPENDING,), 'compute_suspend_instance', 'suspend',
                      states.SUSPENDED),
    'resume': Simple((states.RESUMING,), 'compute_resume_instance', 'resume', states.ACTIVE),
    'rebuild': Simple((states.REBUILDING, states.REBUILD_SPAWNING), 'compute_rebuild_instance',
                      'rebuild', states.ACTIVE),
    'snapshot': Simple((states.IMAGE_SNAPSHOT, states.IMAGE_PENDING_UPLOAD,
                        states.IMAGE_UPLOADING), 'compute_snapshot_instance', 'snapshot',
                       None),
}


def run_action(deps, ctx, uuid, action, params):
    if action == 'delete':
        delete.delete(deps, ctx, uuid)
    elif action == 'resize':
        resize.resize(deps, ctx, uuid, params['flavor'])
    elif action == 'confirm_resize':
        resize.confirm(deps, ctx, uuid)
    elif action == 'revert_resize':
        resize.revert(deps, ctx, uuid)
    elif action == 'snapshot':
        _snapshot(deps, ctx, uuid, params)
    elif action in SIMPLE:
        _run_simple(deps, ctx, uuid, action, params)
    else:
        LOG.error('Unknown action %r for server %s ignored', action, uuid)


def _snapshot(deps, ctx, uuid, params):
    """``SIMPLE['snapshot']``; the image goes unless the agent uploaded it."""
    uploaded = False
    try:
        uploaded = _run_simple(deps, ctx, uuid, 'snapshot', params)
    finally:
        if not uploaded:
            LOG.info('No snapshot of server %s was made; deleting its image %s', uuid,
                     params['image_id'])
            deps.images.delete(ctx, params['image_id'])


def _run_simple(deps, ctx, uuid, action, params):
    """Run one of ``SIMPLE``; returns whether the agent did its part."""
    spec = SIMPLE[action]
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.task_state not in spec.tasks:
            LOG.info('Server %s is not waiting for %s; ignored', uuid, action)
            return False
        host, vm_state = row.host, row.vm_state
        events.start(session, ctx, uuid, spec.event, host=host)
        no_host = not host
        if host:
            instance = payloads.instance(session, row)
            agent_params = _agent_params(session, row, action, params, spec.tasks)
    if no_host:  # a server that never got a host (it failed to build)
        fail(deps, ctx, uuid, spec.tasks, spec.event, f'Instance {uuid} has no host.')
        return False
    if action == 'rebuild':
        instance['image_ref'] = agent_params.pop('image_ref')
        try:
            agent_params['image_meta'] = (deps.images.get(ctx, instance['image_ref'])
                                          if instance['image_ref'] else {})
        except Exception as exc:  # the image is gone or the image service is down
            fail(deps, ctx, uuid, spec.tasks, spec.event, getattr(exc, 'message', str(exc)),
                 vm_state=states.ERROR)
            return False
    reply = call_agent(deps, ctx, uuid, host, instance, action, agent_params,
                       spec.tasks, spec.event)
    if reply is None:
        return False
    values = {'vm_state': spec.vm_state or vm_state, 'power_state': reply['power_state']}
    if action == 'rebuild':
        values.update(image_ref=instance['image_ref'], launched_at=deps.now())
        if vm_state == states.STOPPED:
            # Nova keeps a stopped server stopped across a rebuild.
            reply = call_agent(deps, ctx, uuid, host, instance, 'stop', {}, spec.tasks,
                               spec.event)
            if reply is None:
                return True  # rebuilt, then failed to stop
            values.update(vm_state=states.STOPPED, power_state=reply['power_state'])
    finish(deps, ctx, uuid, spec.tasks, spec.event, spec.notification, **values)
    return True


def _agent_params(session, row, action, params, tasks):
    """The agent's params, after moving the server to the task's working state."""
    if action == 'reboot':
        return {'type': params.get('type', 'SOFT')}
    if action == 'snapshot':
        db_api.transition(session, row.uuid, task_states=tasks,
                          task_state=states.IMAGE_UPLOADING)
        return {'image_id': params['image_id']}
    if action == 'rebuild':
        db_api.transition(session, row.uuid, task_states=tasks,
                          task_state=states.REBUILD_SPAWNING)
        return {'image_ref': params.get('image_ref') or row.image_ref,
                'network_info': json.loads(row.network_info or '[]'),
                'block_devices': payloads.block_devices(session, row.uuid)}
    return {}
