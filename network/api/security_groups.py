"""``/v2.0/security-groups``: create, list, show, update, delete."""
import flask
import sqlalchemy as sa

from network import exceptions as net_exc
from network import security_groups
from network.api import query
from network.api import support
from network.api.schemas import security_groups as schemas
from network.api.views import security_groups as views
from network.db import api as db_api
from network.db import models as m

bp = flask.Blueprint('security_groups', __name__, url_prefix='/v2.0/security-groups')

COLLECTION = query.Collection('security_groups', m.SecurityGroup, {
    'id': m.SecurityGroup.id, 'name': m.SecurityGroup.name,
    'description': m.SecurityGroup.description, 'project_id': m.SecurityGroup.project_id,
    'tenant_id': m.SecurityGroup.project_id, 'stateful': m.SecurityGroup.stateful,
    'created_at': m.SecurityGroup.created_at, 'updated_at': m.SecurityGroup.updated_at,
    'revision_number': m.SecurityGroup.revision_number,
})


@bp.get('')
def list_groups():
    support.authorize('get_security_group')
    request = support.list_request(COLLECTION)
    caller = support.caller()
    backend = support.backend()
    if caller.project_id:
        with backend.db.writer() as session:
            # Neutron creates a project's default group when the project first looks.
            security_groups.ensure_default(session, caller.project_id)
    with backend.db.reader() as session:
        stmt = sa.select(m.SecurityGroup).where(security_groups.visible(caller))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render(g) for g in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_group():
    attrs = support.body('security_group', schemas.create_group)
    ctx = support.context()
    project_id = support.owner(attrs)
    support.authorize('create_security_group', {'project_id': project_id})
    backend = support.backend()
    with backend.db.writer() as session:
        group = security_groups.create(session, backend.conf, project_id, attrs)
        session.flush()
        session.refresh(group)
        body = views.render(group)
    backend.notify(ctx, 'security_group.create.end', {'security_group': body})
    return support.created('security_group', body)


@bp.get('/<group_id>')
def get_group(group_id):
    with support.backend().db.reader() as session:
        group = security_groups.get(session, support.caller(), group_id)
        support.authorize('get_security_group', {'project_id': group.project_id})
        body = views.render(group)
    return support.show('security_group', body)


@bp.put('/<group_id>')
def update_group(group_id):
    attrs = support.body('security_group', schemas.update_group)
    backend = support.backend()
    with backend.db.writer() as session:
        group = security_groups.get(session, support.caller(), group_id)
        support.authorize('update_security_group', {'project_id': group.project_id})
        if 'name' in attrs and attrs['name'] != 'default' and \
                security_groups.is_default(session, group):
            raise net_exc.InvalidInput(
                detail='Updating default security group not allowed.')
        for key in ('name', 'description'):
            if key in attrs:
                setattr(group, key, attrs[key] or '')
        db_api.bump_revision(group)
        session.flush()
        body = views.render(group)
    return support.show('security_group', body)


@bp.delete('/<group_id>')
def delete_group(group_id):
    backend = support.backend()
    with backend.db.writer() as session:
        group = security_groups.get(session, support.caller(), group_id)
        support.authorize('delete_security_group', {'project_id': group.project_id})
        security_groups.delete(session, support.caller(), group)
    backend.notify(support.context(), 'security_group.delete.end',
                   {'security_group_id': group_id})
    return support.no_content()
