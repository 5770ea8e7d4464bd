"""``POST /os-server-external-events``: other services tell compute about servers.

The network service reports here that a server's port is wired
(``network-vif-plugged``, the port id as ``tag``), which a build waits for
(``compute.conductor.vif_plugging``).  As in Nova, every event comes back
with a ``code``: 200 when it is handed to the conductor, 404 when the
server does not exist, 422 when it has no host (nothing on a host awaits
it), 400 for a ``volume-extended`` without the volume as ``tag``.  The
answer is 207 when some event was not accepted and 404 when none was.
"""
import logging

import flask
import sqlalchemy as sa

from common import exceptions
from common.wsgi import validation
from compute.api import microversion
from compute.api import support
from compute.api.schemas import server_external_events as schemas
from compute.db import models as m

LOG = logging.getLogger(__name__)

bp = flask.Blueprint('server_external_events', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-server-external-events')


def _code(event, hosts):
    """The HTTP code of one event, given ``{server uuid: host}`` of existing servers."""
    if event['server_uuid'] not in hosts:
        return 404
    if event['name'] == 'volume-extended' and event['tag'] is None:
        return 400
    return 200 if hosts[event['server_uuid']] else 422


@bp.post('')
def create():
    schema = schemas.create_v251 if microversion.at_least('2.51') else schemas.create
    support.authorize('os-server-external-events:create')  # before the body: 403, not 400
    body = validation.json_body(schema)
    uuids = {e['server_uuid'] for e in body['events']}
    with support.db().reader() as session:
        hosts = dict(session.execute(sa.select(m.Instance.uuid, m.Instance.host).where(
            m.Instance.uuid.in_(uuids), m.Instance.deleted_at.is_(None))).all())
    answers, accepted = [], []
    for given in body['events']:
        event = {'server_uuid': given['server_uuid'], 'name': given['name'],
                 'status': given.get('status', 'completed'), 'tag': given.get('tag')}
        code = _code(event, hosts)
        LOG.info('Event %s (%s, tag %s) of server %s: %s', event['name'], event['status'],
                 event['tag'], event['server_uuid'], code)
        # As Nova: ``status`` now says whether the event was accepted.
        answers.append({**given, 'status': 'completed' if code == 200 else 'failed',
                        'code': code})
        if code == 200:
            accepted.append(event)
    if not accepted:
        raise exceptions.NotFound('No instances found for any event')
    try:
        support.conductor().external_instance_event(support.context(), accepted)
    except Exception:  # any failure of the transport: the events were not sent
        LOG.exception('Could not send %d server events to the conductor', len(accepted))
        raise exceptions.ServiceUnavailable(
            'The compute conductor is unreachable; the events were not delivered.') from None
    return flask.jsonify(events=answers), 200 if len(accepted) == len(answers) else 207
