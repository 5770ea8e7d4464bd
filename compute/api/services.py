"""``/os-services``: the conductors' and agents' records; disabling and removing hosts.

Before 2.53 a service is named by ``host`` and ``binary`` in the body of
``PUT /os-services/{enable|disable|disable-log-reason|force-down}``; from
2.53 by its UUID in the path, and ids are shown as UUIDs.  Only agents
(``nova-compute``) may be changed: a disabled agent gets no new servers,
a forced-down one is shown down without waiting for its heartbeats to
stop.  Deleting an agent's record also removes its compute node and its
aggregate memberships, and is refused while its host has servers.
"""
import flask
import sqlalchemy as sa
from oslo_utils import uuidutils

from common import exceptions
from common.wsgi import validation
from compute import request_values
from compute import service_names
from compute import zones
from compute.api import microversion
from compute.api import support
from compute.api.schemas import services as schemas
from compute.api.views import services as views
from compute.db import api as db_api
from compute.db import models as m

bp = flask.Blueprint('services', __name__, url_prefix=f'{support.API_PREFIX}/os-services')


class ServiceNotFound(exceptions.NotFound):
    msg_fmt = 'Service %(service_id)s could not be found.'


class HostBinaryNotFound(exceptions.NotFound):
    msg_fmt = 'Could not find binary %(binary)s on host %(host)s.'


class NotAnAgent(exceptions.BadRequest):
    msg_fmt = ('Updating a %(binary)s service is not supported. Only nova-compute '
               'services can be updated.')


class ServiceHostsServers(exceptions.Conflict):
    msg_fmt = ('Unable to delete compute service that is hosting instances. Migrate or '
               'delete the instances first.')


def _render(session, service):
    zone = zones.service_zones(session, flask.current_app.conf, [service])[service.id]
    return views.render(service, zone, flask.current_app.conf)


def _service_by_path_id(session, service_id):
    """The service ``service_id`` names: a UUID from 2.53, an integer before."""
    if microversion.at_least('2.53'):
        if not uuidutils.is_uuid_like(service_id):
            raise exceptions.BadRequest(f'Invalid uuid {service_id}')
        stmt = sa.select(m.Service).where(m.Service.uuid == service_id)
    else:
        number = request_values.parse_id(service_id, 'id')
        if number is None:
            raise ServiceNotFound(service_id=service_id)
        stmt = sa.select(m.Service).where(m.Service.id == number)
    service = session.execute(stmt).scalar_one_or_none()
    if service is None:
        raise ServiceNotFound(service_id=service_id)
    return service


@bp.get('')
def index():
    support.authorize('os-services:list')
    stmt = sa.select(m.Service).order_by(m.Service.id)
    for name in ('host', 'binary'):
        value = flask.request.args.get(name)
        if value:
            stmt = stmt.where(getattr(m.Service, name) == value)
    with support.db().reader() as session:
        services = session.execute(stmt).scalars().all()
        service_zone = zones.service_zones(session, flask.current_app.conf, services)
        body = [views.render(s, service_zone[s.id], flask.current_app.conf)
                for s in services]
    return flask.jsonify(services=body)


@bp.put('/<service_id>')
def update(service_id):
    if microversion.at_least('2.53'):
        return _update_v253(service_id)
    return _update_v21(service_id)


def _legacy_action(action, body):
    """``(changes, reply)`` of a pre-2.53 action, or 404 for an unknown one."""
    reply = {'host': body['host'], 'binary': body['binary']}
    if action == 'enable':
        return {'disabled': False, 'disabled_reason': None}, {**reply, 'status': 'enabled'}
    if action == 'disable':
        return {'disabled': True, 'disabled_reason': None}, {**reply, 'status': 'disabled'}
    if action == 'disable-log-reason':
        if 'disabled_reason' not in body:
            raise exceptions.BadRequest('Missing disabled reason field')
        reason = body['disabled_reason']
        return ({'disabled': True, 'disabled_reason': reason},
                {**reply, 'status': 'disabled', 'disabled_reason': reason})
    if action == 'force-down' and microversion.at_least('2.11'):
        if 'forced_down' not in body:
            raise exceptions.BadRequest('Missing forced_down field')
        forced = schemas.as_bool(body['forced_down'])
        return {'forced_down': forced}, {**reply, 'forced_down': forced}
    raise exceptions.NotFound('Unknown action')


def _update_v21(action):
    schema = schemas.update_v211 if microversion.at_least('2.11') else schemas.update
    body = validation.json_body(schema)
    support.authorize('os-services:update')
    changes, reply = _legacy_action(action, body)
    if body['binary'] != service_names.AGENT_BINARY:
        raise NotAnAgent(binary=body['binary'])
    with support.db().writer() as session:
        service = session.execute(sa.select(m.Service).where(
            m.Service.host == body['host'],
            m.Service.binary == body['binary'])).scalar_one_or_none()
        if service is None:
            raise HostBinaryNotFound(host=body['host'], binary=body['binary'])
        for column, value in changes.items():
            setattr(service, column, value)
        session.flush()
        payload = _render(session, service)
    support.notify('service.update', payload)
    return flask.jsonify(service=reply)


def _update_v253(service_id):
    body = validation.json_body(schemas.update_v253)
    if body.get('status') == 'enabled' and body.get('disabled_reason'):
        raise exceptions.BadRequest("Specifying 'disabled_reason' with status 'enabled' "
                                    'is invalid.')
    if 'status' not in body and 'forced_down' not in body:
        raise exceptions.BadRequest("No updates were requested. Fields 'status' or "
                                    "'forced_down' should be specified.")
    support.authorize('os-services:update')
    with support.db().writer() as session:
        service = _service_by_path_id(session, service_id)
        if service.binary != service_names.AGENT_BINARY:
            raise NotAnAgent(binary=service.binary)
        if 'status' in body:
            service.disabled = body['status'] == 'disabled'
            service.disabled_reason = body.get('disabled_reason') if service.disabled else None
        if 'forced_down' in body:
            service.forced_down = schemas.as_bool(body['forced_down'])
        session.flush()
        result = _render(session, service)
    support.notify('service.update', result)
    return flask.jsonify(service=result)


def _forget_agent_host(session, host):
    """Remove what belongs to an agent's host: aggregate memberships and its node."""
    session.execute(sa.delete(m.AggregateHost).where(m.AggregateHost.host == host))
    node_ids = sa.select(m.ComputeNode.id).where(m.ComputeNode.host == host)
    # Claims of servers long gone (a server on the host would have refused the delete).
    session.execute(sa.delete(m.Allocation).where(m.Allocation.node_id.in_(node_ids)))
    session.execute(sa.delete(m.ComputeNode).where(m.ComputeNode.host == host))


@bp.delete('/<service_id>')
def delete(service_id):
    support.authorize('os-services:delete')
    with support.db().writer() as session:
        service = _service_by_path_id(session, service_id)
        if service.binary == service_names.AGENT_BINARY:
            if db_api.count_servers_on_hosts(session, [service.host]):
                raise ServiceHostsServers()
            _forget_agent_host(session, service.host)
        payload = {'id': service.uuid, 'host': service.host, 'binary': service.binary}
        session.delete(service)
    support.notify('service.delete', payload)
    return support.no_content()
