"""``/servers/{server_id}/os-instance-actions``: what was done to a server, and how it went.

The API records an action when it accepts a request on a server (create,
delete, every ``/action``); the conductor adds its events (``compute_stop_instance``
…) and their results.  From 2.21 the actions of a deleted server stay
readable, as in Nova; from 2.58 the list pages (``marker`` is a request
id) and filters on ``changes-since``.
"""

import flask
import sqlalchemy as sa

from common import exceptions
from common.db import pagination
from common.wsgi import pagination as wsgi_pagination
from compute import server_listing
from compute.api import microversion
from compute.api import support
from compute.api.views import instance_actions as views
from compute.db import api as db_api
from compute.db import models as m

bp = flask.Blueprint('instance_actions', __name__,
                     url_prefix=f'{support.API_PREFIX}/servers/<server_id>/os-instance-actions')


def _instance(session, server_id, action):
    """The server (deleted ones too from 2.21) if the caller may ``action`` on it."""
    return support.instance_for(session, server_id, action,
                                include_deleted=microversion.at_least('2.21'))


def _changes_since():
    """The ``changes-since`` query parameter as a naive UTC time, or ``None``."""
    text = flask.request.args.get('changes-since')
    return None if text is None else server_listing.parse_changes_since(text.strip())


def _page(session, instance, stmt):
    """Apply 2.58's ``limit``, ``marker`` and ``changes-since``; returns ``(stmt, limit)``."""
    max_limit = flask.current_app.conf.api.max_limit
    limit, marker = wsgi_pagination.page_params(max_limit)
    limit = max_limit if limit is None else limit
    since = _changes_since()
    if since is not None:
        stmt = stmt.where(m.InstanceAction.updated_at >= since)
    columns = [m.InstanceAction.start_time, m.InstanceAction.id]
    marker_values = None
    if marker is not None:
        marker_row = db_api.find_action(session, instance.uuid, marker)
        if marker_row is None:
            raise exceptions.BadRequest(f'Marker {marker} could not be found.')
        marker_values = (marker_row.start_time, marker_row.id)
    return pagination.paginate(stmt, columns, limit=limit, marker=marker_values,
                               descending=True), limit


@bp.get('')
def list_actions(server_id):
    paged = microversion.at_least('2.58')
    with support.db().reader() as session:
        instance = _instance(session, server_id, 'os-instance-actions:list')
        stmt = sa.select(m.InstanceAction).where(m.InstanceAction.instance_uuid == instance.uuid)
        limit = None
        if paged:
            stmt, limit = _page(session, instance, stmt)
        else:
            stmt = stmt.order_by(m.InstanceAction.start_time.desc(), m.InstanceAction.id.desc())
        actions = [views.render_action(row) for row in session.execute(stmt).scalars()]
    body = {'instanceActions': actions}
    if paged:
        base = f'{support.base_url()}{support.API_PREFIX}/servers/{server_id}/os-instance-actions'
        next_href = wsgi_pagination.next_link(base, actions, limit, key='request_id')
        if next_href:
            body['links'] = [{'rel': 'next', 'href': next_href}]
    return flask.jsonify(body)


@bp.get('/<request_id>')
def show_action(server_id, request_id):
    with support.db().reader() as session:
        instance = _instance(session, server_id, 'os-instance-actions:show')
        action = db_api.find_action(session, instance.uuid, request_id)
        if action is None:
            raise exceptions.NotFound(f'Action {request_id} not found')
        body = views.render_action(action)
        # Before 2.51 only administrators saw events; from 2.51 everyone who
        # may see the action does, without the tracebacks.
        admin_view = support.allowed('os-instance-actions:events',
                                     project_id=instance.project_id)
        if admin_view or microversion.at_least('2.51'):
            events = session.execute(
                sa.select(m.InstanceActionEvent)
                .where(m.InstanceActionEvent.action_id == action.id)
                .order_by(m.InstanceActionEvent.start_time.desc(),
                          m.InstanceActionEvent.id.desc())).scalars()
            body['events'] = [views.render_event(e, show_traceback=admin_view) for e in events]
    return flask.jsonify(instanceAction=body)
