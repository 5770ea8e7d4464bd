"""``os-instance-actions`` bodies: an action, and its events.

Times are written as Nova writes them here, ``2018-04-25T01:26:29.000000``
(no zone, always UTC), which differs from the ``Z`` form of servers.
"""
from common.wsgi.timestamps import microsecond_time
from compute.api import microversion


def render_action(action):
    """One action as listed; ``updated_at`` is shown from 2.58."""
    body = {'action': action.action, 'instance_uuid': action.instance_uuid,
            'request_id': action.request_id, 'user_id': action.user_id,
            'project_id': action.project_id, 'start_time': microsecond_time(action.start_time),
            'message': action.message}
    if microversion.at_least('2.58'):
        body['updated_at'] = microsecond_time(action.updated_at)
    return body


def render_event(event, *, show_traceback):
    body = {'event': event.event, 'start_time': microsecond_time(event.start_time),
            'finish_time': microsecond_time(event.finish_time), 'result': event.result}
    if show_traceback:
        body['traceback'] = event.traceback
    return body
