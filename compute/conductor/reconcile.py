"""What a conductor picks up: builds whose message was lost, tasks whose conductor died.

**Lost builds.** The API stores a server (``scheduling``) and then casts
``build_instances``; if every conductor was down, or the one holding the
message died before claiming, the server would stay in BUILD forever.  At
start, a conductor re-casts the builds that have waited in ``scheduling``
with no claim for longer than ``service_down_time`` (so that builds still
in flight to a live conductor are left to it).  Two conductors starting at
once may both re-cast one server: the build's first transition lets only
one proceed, and the loser gives its claim back.

The re-cast carries a context of the conductor itself with the request id
of the server's ``create`` action, so its events join that action; it has
no user token, so a server that asked for networks fails to get ports and
goes to ERROR with the reason, rather than waiting forever.

**Abandoned tasks.** oslo.messaging acknowledges a cast when a conductor
takes it, so an action whose conductor dies half-way is in no queue any
more, and its server would keep its task (``powering-off`` …) and refuse
every other action with a 409.  A task that has not moved for longer than
any conductor may take over it (``ABANDONED_AFTER`` agent timeouts, plus
``service_down_time``) is reset, as Nova's ``init_host`` does for the
tasks of a restarted compute: a delete is carried out again, a build that
was making ports goes to ERROR, an interrupted rebuild or resize leaves
the server in ERROR (its disks may be half made), and any other task is
cleared with a fault; the next power-state sync corrects ``power_state``.
An interrupted snapshot may leave its image queued in the image service:
deleting it needs the user's token, which died with the cast, so the reset
only logs it for the operator (Nova's ``init_host`` leaves it too).
The reset is conditional on the task and ``updated_at`` it saw, so a
conductor that was only slow and moves the task on wins.
"""
import datetime
import logging

import sqlalchemy as sa

from compute import states
from compute.conductor import build
from compute.conductor import delete
from compute.conductor import events
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)


def lost_builds(deps):
    """``[(context, uuid)]`` of the builds to start again."""
    cutoff = deps.now() - datetime.timedelta(seconds=deps.conf.service_down_time)
    with deps.db.reader() as session:
        claimed = sa.select(m.Allocation.instance_uuid).where(
            m.Allocation.instance_uuid == m.Instance.uuid).exists()
        uuids = session.execute(sa.select(m.Instance.uuid).where(
            m.Instance.vm_state == states.BUILDING, m.Instance.task_state == states.SCHEDULING,
            m.Instance.deleted_at.is_(None), m.Instance.updated_at < cutoff,
            ~claimed)).scalars().all()
        return [(events.context_of_last_action(session, uuid, 'create'), uuid)
                for uuid in uuids]


def resume_lost_builds(deps, conductor_api):
    """Re-cast the lost builds, one message each (any conductor may take it)."""
    for ctx, uuid in lost_builds(deps):
        LOG.warning('Server %s has waited to be scheduled since before this conductor '
                    'started; building it again', uuid)
        conductor_api.build_instances(ctx, [uuid])


# Times [conductor] agent_timeout a task may stay unchanged while a live
# conductor works on it: a resize waits for up to three agent answers
# (stop, spawn, stop) between two changes of its task.
ABANDONED_AFTER = 3
# Tasks handled elsewhere: lost builds (above) and spawn timeouts (build).
_BUILD_TASKS = (states.SCHEDULING, states.SPAWNING)
_IMAGE_TASKS = (states.IMAGE_SNAPSHOT, states.IMAGE_PENDING_UPLOAD, states.IMAGE_UPLOADING)
_LEAVE_IN_ERROR = (states.REBUILDING, states.REBUILD_SPAWNING, states.RESIZE_PREP,
                   states.RESIZE_MIGRATING, states.RESIZE_MIGRATED, states.RESIZE_FINISH,
                   states.RESIZE_REVERTING, states.RESIZE_CONFIRMING, states.MIGRATING)


def abandoned_tasks(deps):
    """``[(uuid, vm_state, task_state, updated_at)]`` of tasks no conductor is working on."""
    conf = deps.conf
    idle = conf.conductor.agent_timeout * ABANDONED_AFTER + conf.service_down_time
    cutoff = deps.now() - datetime.timedelta(seconds=idle)
    with deps.db.reader() as session:
        return session.execute(sa.select(
            m.Instance.uuid, m.Instance.vm_state, m.Instance.task_state,
            m.Instance.updated_at).where(
            m.Instance.task_state.is_not(None), m.Instance.task_state.not_in(_BUILD_TASKS),
            m.Instance.deleted_at.is_(None), m.Instance.updated_at < cutoff)).all()


def reset_abandoned_tasks(deps):
    """Finish or undo the tasks of ``abandoned_tasks`` (see the module's docstring)."""
    for uuid, vm_state, task, seen in abandoned_tasks(deps):
        LOG.warning('Server %s has been %s since %s with no conductor working on it; '
                    'resetting it', uuid, task, seen.isoformat())
        if task == states.DELETING:
            with deps.db.reader() as session:
                ctx = events.context_of_last_action(session, uuid, 'delete')
            delete.delete(deps, ctx, uuid)
        elif vm_state == states.BUILDING:
            with deps.db.reader() as session:
                ctx = events.context_of_last_action(session, uuid, 'create')
            build.to_error(deps, ctx, uuid, _message(task), task_states=[task])
        else:
            _reset(deps, uuid, task, seen)


def _message(task):
    return f'The conductor working on task {task} stopped before it finished.'


def _reset(deps, uuid, task, seen):
    values = {'vm_state': states.ERROR} if task in _LEAVE_IN_ERROR else {}
    with deps.db.writer() as session:
        reset = db_api.transition(session, uuid, task_states=[task], task_state=None,
                                  where=(m.Instance.updated_at == seen,), **values)
        if reset:
            db_api.add_fault(session, uuid, 500, _message(task))
    if reset and task in _IMAGE_TASKS:
        LOG.warning('The interrupted snapshot of server %s may have left its image queued in '
                    'the image service (property instance_uuid=%s); only its owner or a cloud '
                    'admin can delete it', uuid, uuid)
