"""``/v2.1/servers/{id}/tags`` (2.26): a server's tags.

At most 50 tags of 1 to 60 characters without ``,`` or ``/``.  Changes are
allowed, as in Nova, while the server is active, paused, suspended,
stopped or shelved with no task running.
"""
import flask
import sqlalchemy as sa

from common import exceptions
from common.db.types import utcnow
from common.wsgi import validation
from compute import servers
from compute import states
from compute.api import microversion
from compute.api import support
from compute.api.schemas import servers as schemas
from compute.db import models as m

bp = flask.Blueprint('server_tags', __name__, url_prefix='/v2.1/servers/<server_id>/tags')

CHANGEABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED,
              states.SHELVED, states.SHELVED_OFFLOADED)


class TooManyTags(exceptions.BadRequest):
    msg_fmt = 'The number of tags exceeded the per-server limit %(limit)d'


def _instance(session, server_id, action):
    microversion.require('2.26')
    return support.instance_for(session, server_id, f'server-tags:{action}')


def _changeable(session, server_id, action):
    instance = _instance(session, server_id, action)
    servers.check_changeable(instance, 'update tags', CHANGEABLE,
                             is_admin=support.is_cloud_admin())
    instance.updated_at = utcnow()
    return instance


def _tags(session, uuid):
    return list(session.execute(sa.select(m.InstanceTag.tag).where(
        m.InstanceTag.instance_uuid == uuid).order_by(m.InstanceTag.tag)).scalars())


def _clear(session, uuid):
    session.execute(sa.delete(m.InstanceTag).where(m.InstanceTag.instance_uuid == uuid))


def _check_tag(tag):
    validation.validate({'tag': tag}, schemas.TAG_ALONE)


@bp.get('')
def index(server_id):
    with support.db().reader() as session:
        instance = _instance(session, server_id, 'index')
        return flask.jsonify(tags=_tags(session, instance.uuid))


@bp.put('')
def update_all(server_id):
    microversion.require('2.26')
    body = validation.json_body(schemas.TAGS_SET)
    tags = list(dict.fromkeys(body['tags']))
    with support.db().writer() as session:
        instance = _changeable(session, server_id, 'update_all')
        _clear(session, instance.uuid)
        for tag in tags:
            session.add(m.InstanceTag(instance_uuid=instance.uuid, tag=tag))
        session.flush()
        return flask.jsonify(tags=_tags(session, instance.uuid))


@bp.delete('')
def delete_all(server_id):
    with support.db().writer() as session:
        instance = _changeable(session, server_id, 'delete_all')
        _clear(session, instance.uuid)
    return support.no_content()


@bp.get('/<tag>')
def show(server_id, tag):
    with support.db().reader() as session:
        instance = _instance(session, server_id, 'show')
        if tag not in _tags(session, instance.uuid):
            raise exceptions.NotFound(f'Tag {tag} could not be found.')
    return support.no_content()


@bp.put('/<tag>')
def update(server_id, tag):
    microversion.require('2.26')
    _check_tag(tag)
    with support.db().writer() as session:
        instance = _changeable(session, server_id, 'update')
        tags = _tags(session, instance.uuid)
        if tag in tags:
            return support.no_content()
        if len(tags) >= schemas.MAX_TAGS:
            raise TooManyTags(limit=schemas.MAX_TAGS)
        session.add(m.InstanceTag(instance_uuid=instance.uuid, tag=tag))
        uuid = instance.uuid
    response = support.no_content(201)
    response.headers['Location'] = support.link(f'servers/{uuid}/tags/{tag}')[0]['href']
    return response


@bp.delete('/<tag>')
def delete(server_id, tag):
    with support.db().writer() as session:
        instance = _changeable(session, server_id, 'delete')
        if tag not in _tags(session, instance.uuid):
            raise exceptions.NotFound(f'Tag {tag} could not be found.')
        session.execute(sa.delete(m.InstanceTag).where(m.InstanceTag.instance_uuid ==
                                                       instance.uuid, m.InstanceTag.tag == tag))
    return support.no_content()
