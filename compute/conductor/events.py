"""Instance-action events (``os-instance-actions``) written by the conductor.

The API records the action (``create``, ``stop`` …) under its request id
and passes the request context on; the conductor adds the steps it runs
(``compute_stop_instance`` …) to the action of that request id, with
``Success`` or ``Error``, as Nova's compute manager does.
"""
import sqlalchemy as sa

from common.context import RequestContext
from compute.db import api as db_api
from compute.db import models as m

SUCCESS = 'Success'
ERROR = 'Error'


def _action_id(session, ctx, instance_uuid):
    request_id = getattr(ctx, 'request_id', None)
    if not request_id:
        return None
    action = db_api.find_action(session, instance_uuid, request_id)
    return action.id if action is not None else None


def start(session, ctx, instance_uuid, event, host=None):
    action_id = _action_id(session, ctx, instance_uuid)
    if action_id is not None:
        db_api.start_event(session, action_id, event, host=host)


def finish(session, ctx, instance_uuid, event, result, details=None):
    """End ``event`` with ``result``; ``details`` (the error) goes in its traceback."""
    action_id = _action_id(session, ctx, instance_uuid)
    if action_id is not None:
        db_api.finish_event(session, action_id, event, result, traceback=details)


def record(session, ctx, instance_uuid, event, result, host=None, details=None):
    """An event that starts and ends at once (a scheduling failure)."""
    start(session, ctx, instance_uuid, event, host=host)
    finish(session, ctx, instance_uuid, event, result, details=details)


def context_of_last_action(session, instance_uuid, action=None):
    """A context of the conductor itself carrying the request id of the server's
    latest action (``action`` if given), for work the conductor resumes on its own
    (timeouts, restarts), so that its events join that action."""
    stmt = (sa.select(m.InstanceAction.request_id)
            .where(m.InstanceAction.instance_uuid == instance_uuid)
            .order_by(m.InstanceAction.start_time.desc(), m.InstanceAction.id.desc()))
    if action is not None:
        stmt = stmt.where(m.InstanceAction.action == action)
    request_id = session.execute(stmt.limit(1)).scalar_one_or_none()
    return RequestContext.admin(request_id=request_id)
