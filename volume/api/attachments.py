"""``/v3/{project_id}/attachments``: Cinder's attachments API (3.27+), as Nova uses it.

create (200) reserves the volume for a server, and connects it too when
a connector is given; update (PUT, 200) gives the host's connector and
answers the attachment with the backend's ``connection_info``;
``os-complete`` (3.44, 204) marks it attached; delete (200) detaches and
answers the volume's attachments left.  The rules of states are in
``volume.attachments``.

Connecting asks the volume's backend agent and waits for its answer
(``AgentAPI.initialize_connection``, a ``call`` bounded by
``rpc_response_timeout``), outside any database transaction; an agent
that fails or does not answer is a 503 and changes nothing.  A detach
tells the agent too, but an agent that is down must not keep a server
from letting its volume go: its failure is logged and the detach goes on,
as in Cinder.
"""
import logging

import flask
from oslo_utils import excutils

from common import exceptions
from common.db import pagination
from common.wsgi import validation
from volume import attachments
from volume import listing
from volume import volumes
from volume.api import microversion
from volume.api import support
from volume.api.schemas import attachments as schemas
from volume.api.views import attachments as views
from volume.db import models as m

LOG = logging.getLogger(__name__)
bp = flask.Blueprint('attachments', __name__, url_prefix=f'{support.API_PREFIX}/attachments')
MIN_VERSION = '3.27'
COMPLETE_VERSION = '3.44'
_SORT = (m.VolumeAttachment.created_at, m.VolumeAttachment.id)


class VersionNotFoundForAPIMethod(exceptions.NotFound):
    msg_fmt = 'API version %(version)s is not supported on this method.'


class MarkerNotFound(exceptions.NotFound):
    msg_fmt = 'Marker %(marker)s could not be found.'


def require_version(text):
    """404 below microversion ``text``, as Cinder answers."""
    if not microversion.at_least(text):
        raise VersionNotFoundForAPIMethod(version=microversion.as_string(microversion.current()))


@bp.before_request
def _require_attachments_version():
    require_version(MIN_VERSION)


# --- the volume's agent ----------------------------------------------------------


def connect(target):
    """The backend's ``connection_info`` for ``target``'s connector.

    :raises ServiceUnavailable: (503) the agent failed or did not answer.
    """
    try:
        result = flask.current_app.agent.initialize_connection(
            support.context(), target.backend, target.volume, target.connector)
    except Exception:  # a timeout, or a transport failure: nobody answered
        LOG.exception('Backend %s did not answer initialize_connection of volume %s',
                      target.backend, target.volume['id'])
        raise exceptions.ServiceUnavailable(f'The volume backend {target.backend} did not '
                                            f'answer; the volume was not connected.') from None
    if result.get('error') or not result.get('connection_info'):
        reason = result.get('error') or 'the backend gave no connection info'
        raise exceptions.ServiceUnavailable(f'Unable to connect volume '
                                            f'{target.volume["id"]}: {reason}')
    return result['connection_info']


def disconnect(target):
    """Tell the backend that ``target``'s host is done with the volume; a failure is
    logged and ignored (the host has let the volume go; nothing is left to keep)."""
    try:
        result = flask.current_app.agent.terminate_connection(
            support.context(), target.backend, target.volume, target.connector)
    except Exception:  # a timeout, or a transport failure: go on detaching
        LOG.exception('Backend %s did not answer terminate_connection of volume %s; the '
                      'detach goes on', target.backend, target.volume['id'])
        return
    if result.get('error'):
        LOG.warning('Backend %s could not terminate the connection of volume %s: %s; the '
                    'detach goes on', target.backend, target.volume['id'], result['error'])


# --- list and show ---------------------------------------------------------------


def _list(render):
    support.authorize('attachments:get_all')
    caller, args = support.caller(), flask.request.args
    all_tenants = 'all_tenants' in args and listing.parse_bool(
        'all_tenants', args['all_tenants'], strict=False)
    limit = listing.parse_limit(args, support.conf().api.max_limit)
    with support.db().reader() as session:
        marker = None
        if args.get('marker'):
            row = session.execute(attachments.list_query(caller, {}, all_tenants)
                                  .with_only_columns(*_SORT)
                                  .where(m.VolumeAttachment.id == args['marker'])).first()
            if row is None:
                raise MarkerNotFound(marker=args['marker'])
            marker = tuple(row)
        stmt = pagination.paginate(attachments.list_query(caller, args, all_tenants), _SORT,
                                   limit=limit, marker=marker, descending=True)
        rows = session.execute(stmt).scalars().all()
        return flask.jsonify(attachments=[render(a) for a in rows])


@bp.get('')
def index():
    return _list(views.summary)


@bp.get('/detail')
def detail():
    return _list(views.detail)


@bp.get('/<attachment_id>')
def show(attachment_id):
    with support.db().reader() as session:
        attachment, volume = attachments.get(session, support.caller(), attachment_id)
        support.authorize('attachments:get', project_id=volume.project_id)
        return flask.jsonify(attachment=views.detail(attachment))


# --- create, update, complete, delete --------------------------------------------


def _connect(attachment_id, target):
    """Connect the attachment for ``target``'s connector; its detailed body."""
    info = connect(target)
    with support.db().writer() as session:
        attachment = attachments.connected(session, support.caller(), attachment_id,
                                           target.connector, info)
        return views.detail(attachment)


@bp.post('')
def create():
    body = support.body(schemas.create(microversion.at_least))['attachment']
    connector = body.get('connector')
    with support.db().writer() as session:
        volume = volumes.get(session, support.caller(), body['volume_uuid'])
        support.authorize('attachments:create', project_id=volume.project_id)
        attachment = attachments.reserve(session, volume, body.get('instance_uuid'),
                                         body.get('mode'))
        target = attachments.target(volume, connector) if connector else None
        attachment_id, result = attachment.id, views.detail(attachment)
    if target is not None:
        try:
            result = _connect(attachment_id, target)
        except Exception:
            with excutils.save_and_reraise_exception():
                _remove(attachment_id)  # Cinder's undo: the reservation goes with the failure
    return flask.jsonify(attachment=result)


@bp.put('/<attachment_id>')
def update(attachment_id):
    connector = support.body(schemas.update)['attachment']['connector']
    with support.db().reader() as session:
        attachment, volume = attachments.get(session, support.caller(), attachment_id)
        support.authorize('attachments:update', project_id=volume.project_id)
        attachments.check_connectable(attachment, volume)
        target = attachments.target(volume, connector)
    return flask.jsonify(attachment=_connect(attachment_id, target))


@bp.post('/<attachment_id>/action')
def act(attachment_id):
    require_version(COMPLETE_VERSION)
    body = validation.json_body()
    if not isinstance(body, dict) or 'os-complete' not in body:
        named = ', '.join(body) if isinstance(body, dict) and body else 'none'
        raise exceptions.BadRequest(f'There is no such action: {named}. Verify the request '
                                    'body and Content-Type header and try again.')
    validation.validate(body, schemas.complete)
    with support.db().writer() as session:
        attachment, volume = attachments.get(session, support.caller(), attachment_id)
        support.authorize('attachments:complete', project_id=volume.project_id)
        attachments.complete(session, attachment, volume)
        event = volumes.notification(volume)
    support.notify('volume.attach.end', event)
    return flask.Response(status=204)


def _remove(attachment_id):
    """Mark the attachment deleted and settle its volume.

    :returns: the summaries of the volume's attachments left, and the
        volume's notification payload.
    """
    with support.db().writer() as session:
        attachment, volume = attachments.get(session, support.caller(), attachment_id)
        left = attachments.remove(session, attachment, volume)
        return [views.summary(a) for a in left], volumes.notification(volume)


@bp.delete('/<attachment_id>')
def delete(attachment_id):
    with support.db().reader() as session:
        attachment, volume = attachments.get(session, support.caller(), attachment_id)
        support.authorize('attachments:delete', project_id=volume.project_id)
        target = attachments.target(volume, attachment.connector) \
            if attachment.connector and attachments.on_backend(volume) else None
    if target is not None:
        disconnect(target)
    left, event = _remove(attachment_id)
    support.notify('volume.detach.end', event)
    return flask.jsonify(attachments=left)
