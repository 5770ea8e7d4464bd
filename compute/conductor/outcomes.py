"""How a conductor action ends: the agent's answer turned into states, events and faults.

Shared by every action module (``actions``, ``resize``, ``delete``) so
that they all fail the same way.
"""
import logging

from compute import rpcapi
from compute import states
from compute.conductor import events
from compute.db import api as db_api

LOG = logging.getLogger(__name__)


def call_agent(deps, ctx, uuid, host, instance, action, params, tasks, event):
    """Order ``action`` from the agent of ``host`` and wait.

    :returns: the agent's reply, or ``None`` when it failed: the server then
        has a fault, its task is cleared, and it is in ERROR if the agent did
        not answer (or rebuild failed, as in Nova).
    """
    try:
        reply = deps.agents.run_action(ctx, host, instance, action, params)
    except rpcapi.Timeout:
        fail(deps, ctx, uuid, tasks, event,
             f'Host {host} did not answer within {deps.conf.conductor.agent_timeout} '
             f'seconds.', vm_state=states.ERROR)
        return None
    except Exception as exc:  # the bus refused the message
        fail(deps, ctx, uuid, tasks, event, f'Could not reach host {host}: {exc}',
             vm_state=states.ERROR)
        return None
    if 'error' in reply:
        extra = {'vm_state': states.ERROR} if action == 'rebuild' else {}
        fail(deps, ctx, uuid, tasks, event, reply['error'],
             power_state=reply.get('power_state', states.NOSTATE), **extra)
        return None
    return reply


def finish(deps, ctx, uuid, tasks, event, notification, **values):
    """End an action well: states set, event Success, ``.end`` notification."""
    with deps.db.writer() as session:
        if not db_api.transition(session, uuid, task_states=tasks, task_state=None, **values):
            LOG.info('Server %s changed during %s; its result is not recorded', uuid, event)
            return
        events.finish(session, ctx, uuid, event, events.SUCCESS)
        row = db_api.get_instance(session, uuid)
    deps.notify(ctx, f'{notification}.end', row)


def fail(deps, ctx, uuid, tasks, event, message, **values):
    """End an action badly: task cleared (and ``values`` set), fault, event Error."""
    LOG.warning('%s of server %s failed: %s', event, uuid, message)
    with deps.db.writer() as session:
        if not db_api.transition(session, uuid, task_states=tasks, task_state=None, **values):
            return
        db_api.add_fault(session, uuid, 500, message)
        events.finish(session, ctx, uuid, event, events.ERROR, details=message)
