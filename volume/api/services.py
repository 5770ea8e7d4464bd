"""``/v3/{project_id}/os-services``: the conductors' and agents' records (cloud admins).

A disabled ``cinder-volume`` backend gets no new volumes; enabling and
disabling go by ``host`` and ``binary`` in the body of
``PUT /os-services/enable`` (``disable``, ``disable-log-reason``), as in Cinder.
"""
import flask
import sqlalchemy as sa

from common import exceptions
from common.wsgi import validation
from volume import exceptions as vol_exc
from volume.api import support
from volume.api.schemas import services as schemas
from volume.api.views import services as views
from volume.db import models as m

bp = flask.Blueprint('services', __name__, url_prefix=f'{support.API_PREFIX}/os-services')


@bp.get('')
def index():
    support.authorize('services:list')
    stmt = sa.select(m.Service).order_by(m.Service.id)
    for name in ('host', 'binary'):
        value = flask.request.args.get(name)
        if value:
            stmt = stmt.where(getattr(m.Service, name) == value)
    with support.db().reader() as session:
        services = session.execute(stmt).scalars().all()
    return flask.jsonify(services=[views.render(s, support.conf()) for s in services])


def _set_disabled(body, disabled, reason=None):
    """Enable or disable the service the body names; Cinder's answer."""
    if not body.get('host'):
        raise vol_exc.InvalidInput(reason='Host field is missing.')
    binary = body.get('binary') or body.get('service')
    with support.db().writer() as session:
        service = session.execute(sa.select(m.Service).where(
            m.Service.host == body['host'], m.Service.binary == binary)).scalar_one_or_none()
        if service is None:
            raise vol_exc.ServiceNotFound(host=body['host'], binary=binary)
        service.disabled = disabled
        service.disabled_reason = reason
    reply = {'host': body['host'], 'service': body.get('service', ''),
             'binary': body.get('binary', ''), 'status': 'disabled' if disabled else 'enabled',
             'disabled': disabled}
    support.notify('service.update', {**reply, 'disabled_reason': reason})
    return reply


@bp.put('/<action>')
def update(action):
    support.authorize('services:update')
    if action == 'enable':
        body = validation.json_body(schemas.enable_and_disable)
        return flask.jsonify({**_set_disabled(body, False), 'disabled_reason': None})
    if action == 'disable':
        body = validation.json_body(schemas.enable_and_disable)
        return flask.jsonify(_set_disabled(body, True))
    if action == 'disable-log-reason':
        body = validation.json_body(schemas.disable_log_reason)
        reason = body['disabled_reason'].strip() if body.get('disabled_reason') else None
        return flask.jsonify({**_set_disabled(body, True, reason), 'disabled_reason': reason})
    raise exceptions.NotFound(f'Unknown action: {action}')
