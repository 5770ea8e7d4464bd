"""``/v2.1/servers/{id}/metadata``: a server's key/value metadata.

Changes are allowed, as in Nova, while the server is active, paused,
suspended or stopped with no task running and not locked; the number of
items is limited by the ``metadata_items`` quota.
"""
import flask
import sqlalchemy as sa

from common import exceptions
from common.db.types import utcnow
from common.wsgi import validation
from compute import quotas
from compute import servers
from compute import states
from compute.api import support
from compute.api.schemas import servers as schemas
from compute.db import models as m

bp = flask.Blueprint('server_metadata', __name__, url_prefix='/v2.1/servers/<server_id>/metadata')

CHANGEABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED)


def metadata_of(session, uuid):
    """The server's metadata, ``{key: value}`` in key order."""
    rows = session.execute(sa.select(m.InstanceMetadata).where(
        m.InstanceMetadata.instance_uuid == uuid).order_by(m.InstanceMetadata.key)).scalars()
    return {row.key: row.value for row in rows}


def _store(session, instance, wanted, action):
    """Make the server's metadata ``wanted`` (quota-checked); returns it."""
    servers.check_changeable(instance, action, CHANGEABLE, is_admin=support.is_cloud_admin())
    quotas.Quotas(flask.current_app.conf).enforce(session, instance.project_id,
                                                  {'metadata_items': len(wanted)})
    current = metadata_of(session, instance.uuid)
    for key in set(current) - set(wanted):
        session.execute(sa.delete(m.InstanceMetadata).where(
            m.InstanceMetadata.instance_uuid == instance.uuid, m.InstanceMetadata.key == key))
    for key, value in wanted.items():
        if key not in current:
            session.add(m.InstanceMetadata(instance_uuid=instance.uuid, key=key, value=value))
        elif current[key] != value:
            session.execute(sa.update(m.InstanceMetadata).where(
                m.InstanceMetadata.instance_uuid == instance.uuid,
                m.InstanceMetadata.key == key).values(value=value))
    instance.updated_at = utcnow()
    return dict(sorted(wanted.items()))


@bp.get('')
def index(server_id):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:index')
        return flask.jsonify(metadata=metadata_of(session, instance.uuid))


@bp.post('')
def create(server_id):
    body = validation.json_body(schemas.METADATA_SET)
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:create')
        merged = {**metadata_of(session, instance.uuid), **body['metadata']}
        return flask.jsonify(metadata=_store(session, instance, merged, 'update metadata'))


@bp.put('')
def update_all(server_id):
    body = validation.json_body(schemas.METADATA_SET)
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:update_all')
        return flask.jsonify(metadata=_store(session, instance, body['metadata'],
                                             'update metadata'))


@bp.get('/<key>')
def show(server_id, key):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:show')
        items = metadata_of(session, instance.uuid)
    if key not in items:
        raise exceptions.NotFound('Metadata item was not found')
    return flask.jsonify(meta={key: items[key]})


@bp.put('/<key>')
def update(server_id, key):
    body = validation.json_body(schemas.METADATA_ITEM)
    if key not in body['meta']:
        raise exceptions.BadRequest('Request body and URI mismatch')
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:update')
        merged = {**metadata_of(session, instance.uuid), key: body['meta'][key]}
        _store(session, instance, merged, 'update metadata')
    return flask.jsonify(meta={key: body['meta'][key]})


@bp.delete('/<key>')
def delete(server_id, key):
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'server-metadata:delete')
        items = metadata_of(session, instance.uuid)
        if key not in items:
            raise exceptions.NotFound('Metadata item was not found')
        del items[key]
        _store(session, instance, items, 'delete metadata')
    return support.no_content()
