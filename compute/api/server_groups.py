"""``/os-server-groups``: groups of servers placed with (anti-)affinity.

A group belongs to the project that made it; another project's group is
answered 404, as if it did not exist, unless policy lets the caller see
every project's (cloud admins).  Members are added by the servers API at
create and dropped when a server is deleted; a deleted server is never
listed.  Creating a group takes ``server_groups`` quota under the
project's quota lock, so concurrent creates cannot exceed it.
"""
import flask
import sqlalchemy as sa

from common import exceptions
from common.wsgi import validation
from compute import request_values
from compute.api import microversion
from compute.api import support
from compute.api.schemas import server_groups as schemas
from compute.api.views import server_groups as views
from compute.db import models as m
from compute.quotas import Quotas

bp = flask.Blueprint('server_groups', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-server-groups')


class ServerGroupNotFound(exceptions.NotFound):
    msg_fmt = 'Instance group %(group_uuid)s could not be found.'


def _members(session, group_ids):
    """``{group id: [server uuid]}`` of the groups' servers that are not deleted."""
    members = {group_id: [] for group_id in group_ids}
    if group_ids:
        stmt = (sa.select(m.ServerGroupMember.group_id, m.ServerGroupMember.instance_uuid)
                .join(m.Instance, m.Instance.uuid == m.ServerGroupMember.instance_uuid)
                .where(m.ServerGroupMember.group_id.in_(list(group_ids)),
                       m.Instance.deleted_at.is_(None))
                .order_by(m.Instance.created_at, m.Instance.id))
        for group_id, server_uuid in session.execute(stmt):
            members[group_id].append(server_uuid)
    return members


def _group_for(session, group_uuid, action):
    """The group if the caller may do ``action`` on it; 404 for another project's."""
    group = session.execute(sa.select(m.ServerGroup).where(
        m.ServerGroup.uuid == group_uuid)).scalar_one_or_none()
    if group is None:
        raise ServerGroupNotFound(group_uuid=group_uuid)
    target = {'project_id': group.project_id, 'user_id': group.user_id}
    if group.project_id != support.context().project_id and \
            not support.allowed(action, **target):
        raise ServerGroupNotFound(group_uuid=group_uuid)
    support.authorize(action, **target)
    return group


def _offset_and_limit():
    """Nova's ``limit``/``offset`` of server-group lists (``limit`` capped, 0: the cap).

    Any non-negative integer is accepted, as in Nova; an offset beyond
    ``MAX_INT`` (more groups than any table holds) is an empty page.
    """
    max_limit = flask.current_app.conf.api.max_limit
    values = {name: request_values.parse_int(flask.request.args.get(name, '0'), name,
                                             minimum=0, maximum=None)
              for name in ('limit', 'offset')}
    offset = min(values['offset'], request_values.MAX_INT)
    return offset, min(max_limit, values['limit'] or max_limit)


@bp.get('')
def index():
    support.authorize('os-server-groups:index')
    everyone = (validation.query_flag('all_projects')
                and support.allowed('os-server-groups:index:all_projects'))
    stmt = sa.select(m.ServerGroup).order_by(m.ServerGroup.id)
    if everyone:
        support.authorize('os-server-groups:index:all_projects')
    else:
        stmt = stmt.where(m.ServerGroup.project_id == support.context().project_id)
    offset, limit = _offset_and_limit()
    with support.db().reader() as session:
        groups = session.execute(stmt.offset(offset).limit(limit)).scalars().all()
        members = _members(session, [g.id for g in groups])
        body = [views.render(g, members[g.id]) for g in groups]
    return flask.jsonify(server_groups=body)


@bp.post('')
def create():
    schema = schemas.create_v215 if microversion.at_least('2.15') else schemas.create
    body = validation.json_body(schema)['server_group']
    support.authorize('os-server-groups:create')
    ctx = support.context()
    with support.db().writer() as session:
        Quotas(flask.current_app.conf).enforce(session, ctx.project_id, {'server_groups': 1})
        group = m.ServerGroup(name=body['name'], policy=body['policies'][0],
                              project_id=ctx.project_id, user_id=ctx.user_id)
        session.add(group)
        session.flush()
        result = views.render(group, [])
    support.notify('server_group.create', result)
    return flask.jsonify(server_group=result)


@bp.get('/<group_id>')
def show(group_id):
    with support.db().reader() as session:
        group = _group_for(session, group_id, 'os-server-groups:show')
        body = views.render(group, _members(session, [group.id])[group.id])
    return flask.jsonify(server_group=body)


@bp.delete('/<group_id>')
def delete(group_id):
    with support.db().writer() as session:
        group = _group_for(session, group_id, 'os-server-groups:delete')
        session.execute(sa.delete(m.ServerGroupMember).where(
            m.ServerGroupMember.group_id == group.id))
        session.delete(group)
    support.notify('server_group.delete', {'id': group_id})
    return support.no_content()
