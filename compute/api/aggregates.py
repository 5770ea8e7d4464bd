"""``/os-aggregates``: host aggregates, and through them availability zones.

An aggregate with ``availability_zone`` metadata puts its hosts in that
zone.  Nova's rules hold: a host is in one zone at most, and a host's
zone does not change under servers already running there (they were
placed in the old one).  Status codes are Nova's, including its 200s
where 201/204 would be usual, and its 400 for deleting a non-empty
aggregate.
"""
import flask
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.types import utcnow
from common.wsgi import validation
from compute import request_values
from compute import service_names
from compute import zones
from compute.api import support
from compute.api.schemas import aggregates as schemas
from compute.api.views import aggregates as views
from compute.db import api as db_api
from compute.db import models as m

bp = flask.Blueprint('aggregates', __name__, url_prefix=f'{support.API_PREFIX}/os-aggregates')


class AggregateNotFound(exceptions.NotFound):
    msg_fmt = 'Aggregate %(aggregate_id)s could not be found.'


class AggregateNameExists(exceptions.Conflict):
    msg_fmt = 'Aggregate %(aggregate_name)s already exists.'


class AggregateHostExists(exceptions.Conflict):
    msg_fmt = 'Aggregate %(aggregate_id)s already has host %(host)s.'


class ComputeHostNotFound(exceptions.NotFound):
    msg_fmt = 'Compute host %(host)s could not be found.'


class HostNotRemovable(exceptions.NotFound):
    msg_fmt = 'Cannot remove host %(host)s in aggregate %(aggregate_id)s'


class AddHostRefused(exceptions.Conflict):
    msg_fmt = 'Cannot add host to aggregate %(aggregate_id)s. Reason: %(reason)s.'


class RemoveHostRefused(exceptions.Conflict):
    msg_fmt = 'Cannot remove host from aggregate %(aggregate_id)s. Reason: %(reason)s.'


class DeleteRefused(exceptions.BadRequest):
    msg_fmt = 'Cannot delete aggregate %(aggregate_id)s. Reason: %(reason)s.'


class UpdateRefused(exceptions.BadRequest):
    msg_fmt = 'Cannot update aggregate %(aggregate_id)s. Reason: %(reason)s.'


class MetadataRefused(exceptions.BadRequest):
    msg_fmt = 'Cannot update metadata of aggregate %(aggregate_id)s. Reason: %(reason)s.'


def _hosts(session, aggregate_id):
    return sorted(session.execute(sa.select(m.AggregateHost.host).where(
        m.AggregateHost.aggregate_id == aggregate_id)).scalars())


def _metadata(session, aggregate_id):
    return dict(session.execute(sa.select(m.AggregateMetadata.key, m.AggregateMetadata.value)
                                .where(m.AggregateMetadata.aggregate_id == aggregate_id)).all())


def _render(session, aggregate, **kwargs):
    return views.render(aggregate, _hosts(session, aggregate.id),
                        _metadata(session, aggregate.id), **kwargs)


def _get(session, raw_id):
    """The aggregate of the path's id, or ``None``.

    :raises InvalidInteger: the id is not an integer (400, as in Nova).
    """
    aggregate_id = request_values.parse_id(raw_id, 'id')
    return None if aggregate_id is None else session.get(m.Aggregate, aggregate_id)


def _load(session, raw_id):
    aggregate = _get(session, raw_id)
    if aggregate is None:
        raise AggregateNotFound(aggregate_id=raw_id)
    return aggregate


def _name_taken(session, name, aggregate_id=None):
    stmt = sa.select(m.Aggregate.id).where(m.Aggregate.name == name)
    if aggregate_id is not None:
        stmt = stmt.where(m.Aggregate.id != aggregate_id)
    return session.execute(stmt).first() is not None


def _flush_name(session, name):
    """Write pending changes; a concurrent request taking ``name`` first is a 409."""
    try:
        with session.begin_nested():
            session.flush()
    except sa_exc.IntegrityError:
        raise AggregateNameExists(aggregate_name=name) from None


def _check_zone_change(session, aggregate, new_metadata, refused, hosts=None):
    """Refuse a change of the aggregate's zone that Nova would refuse.

    :param refused: the exception to raise (its status depends on the action).
    :param hosts: the hosts affected (default: the aggregate's own).
    """
    if zones.ZONE_KEY not in new_metadata:
        return
    zone = new_metadata[zones.ZONE_KEY]
    if not zone:
        raise refused(aggregate_id=aggregate.id, reason=f'Aggregate {aggregate.name} does '
                      'not support empty named availability zone')
    hosts = _hosts(session, aggregate.id) if hosts is None else hosts
    conflicts = zones.conflicting_zones(session, hosts, zone, aggregate.id)
    if conflicts:
        raise refused(aggregate_id=aggregate.id, reason='One or more hosts already in '
                      f'availability zone(s) {conflicts}')
    current = _metadata(session, aggregate.id).get(zones.ZONE_KEY)
    if zone != current and db_api.count_servers_on_hosts(session, hosts):
        raise refused(aggregate_id=aggregate.id,
                      reason='One or more hosts contain instances in this zone')


def _set_metadata(session, aggregate, metadata):
    """Apply ``metadata``: a ``None`` value removes the key."""
    for key, value in metadata.items():
        row = session.get(m.AggregateMetadata, (aggregate.id, key))
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(m.AggregateMetadata(aggregate_id=aggregate.id, key=key, value=value))
        else:
            row.value = value
    aggregate.updated_at = utcnow()


@bp.get('')
def index():
    support.authorize('os-aggregates:index')
    with support.db().reader() as session:
        aggregates = session.execute(sa.select(m.Aggregate).order_by(m.Aggregate.id)).scalars()
        body = [_render(session, a) for a in aggregates]
    return flask.jsonify(aggregates=body)


@bp.post('')
def create():
    body = validation.json_body(schemas.create)['aggregate']
    support.authorize('os-aggregates:create')
    name, zone = body['name'], body.get('availability_zone')
    with support.db().writer() as session:
        if _name_taken(session, name):
            raise AggregateNameExists(aggregate_name=name)
        aggregate = m.Aggregate(name=name)
        session.add(aggregate)
        _flush_name(session, name)
        if zone:
            session.add(m.AggregateMetadata(aggregate_id=aggregate.id, key=zones.ZONE_KEY,
                                            value=zone))
        session.flush()
        result = _render(session, aggregate, with_members=False)
    support.notify('aggregate.create.end', result)
    return flask.jsonify(aggregate=result)


@bp.get('/<aggregate_id>')
def show(aggregate_id):
    support.authorize('os-aggregates:show')
    with support.db().reader() as session:
        return flask.jsonify(aggregate=_render(session, _load(session, aggregate_id)))


@bp.put('/<aggregate_id>')
def update(aggregate_id):
    updates = validation.json_body(schemas.update)['aggregate']
    support.authorize('os-aggregates:update')
    with support.db().writer() as session:
        aggregate = _load(session, aggregate_id)
        if 'name' in updates:
            name = updates['name'].strip()
            if _name_taken(session, name, aggregate.id):
                raise AggregateNameExists(aggregate_name=name)
            aggregate.name = name
            aggregate.updated_at = utcnow()
            _flush_name(session, name)
        if 'availability_zone' in updates:
            zone = {zones.ZONE_KEY: updates['availability_zone']}
            _check_zone_change(session, aggregate, zone, UpdateRefused)
            _set_metadata(session, aggregate, zone)
        session.flush()
        result = _render(session, aggregate)
    support.notify('aggregate.update.end', result)
    return flask.jsonify(aggregate=result)


@bp.delete('/<aggregate_id>')
def delete(aggregate_id):
    support.authorize('os-aggregates:delete')
    with support.db().writer() as session:
        aggregate = _load(session, aggregate_id)
        number = aggregate.id
        if _hosts(session, number):
            raise DeleteRefused(aggregate_id=number, reason='Host aggregate is not empty')
        session.execute(sa.delete(m.AggregateMetadata).where(
            m.AggregateMetadata.aggregate_id == number))
        session.delete(aggregate)
    support.notify('aggregate.delete.end', {'aggregate_id': number})
    return flask.Response(status=200)


def _has_agent(session, host):
    return session.execute(sa.select(m.Service.id).where(
        m.Service.host == host, m.Service.binary == service_names.AGENT_BINARY)).first()


def _host_zone_elsewhere(session, host, aggregate_id):
    """The zone other aggregates put ``host`` in, or ``None``."""
    others = zones.zones_elsewhere(session, [host], aggregate_id)
    return ','.join(others) if others else None


def _add_host(session, raw_id, host):
    if not _has_agent(session, host):
        raise ComputeHostNotFound(host=host)
    aggregate = _load(session, raw_id)
    metadata = _metadata(session, aggregate.id)
    _check_zone_change(session, aggregate, metadata, AddHostRefused, hosts=[host])
    new_zone = metadata.get(zones.ZONE_KEY)
    old_zone = _host_zone_elsewhere(session, host, aggregate.id)
    servers = db_api.count_servers_on_hosts(session, [host])
    if new_zone and servers and old_zone != new_zone:
        raise AddHostRefused(aggregate_id=aggregate.id, reason=(
            'The host cannot be added to the aggregate as the availability zone of the '
            f"host would change from '{old_zone}' to '{new_zone}' but the host already "
            f'has {servers} instance(s)'))
    if session.get(m.AggregateHost, (aggregate.id, host)) is not None:
        raise AggregateHostExists(aggregate_id=aggregate.id, host=host)
    session.add(m.AggregateHost(aggregate_id=aggregate.id, host=host))
    try:
        with session.begin_nested():
            session.flush()
    except sa_exc.IntegrityError:
        raise AggregateHostExists(aggregate_id=aggregate.id, host=host) from None
    return aggregate


def _remove_host(session, raw_id, host):
    aggregate = _get(session, raw_id)
    membership = None if aggregate is None else session.get(m.AggregateHost,
                                                            (aggregate.id, host))
    if not _has_agent(session, host) or membership is None:
        raise HostNotRemovable(host=host, aggregate_id=raw_id)
    current = _metadata(session, aggregate.id).get(zones.ZONE_KEY)
    new_zone = _host_zone_elsewhere(session, host, aggregate.id)
    servers = db_api.count_servers_on_hosts(session, [host])
    if current and servers and current != new_zone:
        raise RemoveHostRefused(aggregate_id=aggregate.id, reason=(
            'The host cannot be removed from the aggregate as the availability zone of '
            f"the host would change from '{current}' to '{new_zone}' but the host already "
            f'has {servers} instance(s)'))
    session.delete(membership)
    return aggregate


def _update_metadata(session, raw_id, metadata):
    aggregate = _load(session, raw_id)
    _check_zone_change(session, aggregate, metadata, MetadataRefused)
    _set_metadata(session, aggregate, metadata)
    return aggregate


# Nova's notification names of the actions.
_EVENTS = {'add_host': 'aggregate.addhost.end', 'remove_host': 'aggregate.removehost.end',
           'set_metadata': 'aggregate.updatemetadata.end'}


@bp.post('/<aggregate_id>/action')
def action(aggregate_id):
    body = validation.json_body()
    if not isinstance(body, dict) or len(body) != 1:
        raise exceptions.BadRequest('The body must name exactly one action.')
    (name,) = body
    if name not in schemas.ACTIONS:
        raise exceptions.BadRequest(f'There is no such action: {name}')
    validation.validate(body, schemas.ACTIONS[name])
    support.authorize(f'os-aggregates:{name}')
    args = body[name]
    with support.db().writer() as session:
        if name == 'add_host':
            aggregate = _add_host(session, aggregate_id, args['host'])
        elif name == 'remove_host':
            aggregate = _remove_host(session, aggregate_id, args['host'])
        else:
            aggregate = _update_metadata(session, aggregate_id, args['metadata'])
        session.flush()
        result = _render(session, aggregate)
    support.notify(_EVENTS[name], result)
    return flask.jsonify(aggregate=result)
