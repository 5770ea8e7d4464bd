"""``/v3/users``, a user's own password, projects and groups."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import users as schemas
from identity.api.views import groups as group_views
from identity.api.views import projects as project_views
from identity.api.views import users as views

bp = flask.Blueprint('users', __name__, url_prefix='/v3/users')


def _load(user_id):
    backend = support.backend()
    with backend.reader() as session:
        return backend.users.get_user(session, user_id)


@bp.get('')
def list_users():
    ctx = support.context()
    domain_id = support.arg('domain_id')
    support.authorize('list_users', domain_id=domain_id or ctx.domain_id)
    if not support.is_cloud_reader():
        domain_id = ctx.domain_id
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.users.list_users(
            session, name=support.arg('name'), domain_id=domain_id,
            enabled=validation.query_bool('enabled'), limit=limit, marker=marker)
    return flask.jsonify(support.collection('users', found, views.render, limit))


@bp.post('')
def create_user():
    attrs = validation.json_body(schemas.create)['user']
    backend = support.backend()
    ctx = support.context()
    attrs['domain_id'] = attrs.get('domain_id') or ctx.domain_id or \
        backend.conf.identity.default_domain_id
    support.authorize('create_user', domain_id=attrs['domain_id'])
    with backend.writer(ctx) as session:
        user = backend.users.create_user(session, attrs)
    return flask.jsonify(user=views.render(user)), 201


@bp.get('/<user_id>')
def get_user(user_id):
    user = _load(user_id)
    support.authorize('get_user', domain_id=user.domain_id, user_id=user.id)
    return flask.jsonify(user=views.render(user))


@bp.patch('/<user_id>')
def update_user(user_id):
    attrs = validation.json_body(schemas.update)['user']
    user = _load(user_id)
    support.authorize('update_user', domain_id=user.domain_id, user_id=user.id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        user = backend.users.update_user(session, user_id, attrs)
    return flask.jsonify(user=views.render(user))


@bp.delete('/<user_id>')
def delete_user(user_id):
    user = _load(user_id)
    support.authorize('delete_user', domain_id=user.domain_id, user_id=user.id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.users.delete_user(session, user_id)
    return support.no_content()


@bp.post('/<user_id>/password')
def change_password(user_id):
    attrs = validation.json_body(schemas.change_password)['user']
    support.authorize('change_password', user_id=user_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.users.change_password(session, user_id, attrs['original_password'],
                                      attrs['password'])
    return support.no_content()


@bp.get('/<user_id>/projects')
def list_user_projects(user_id):
    user = _load(user_id)
    support.authorize('list_user_projects', domain_id=user.domain_id, user_id=user.id)
    backend = support.backend()
    with backend.reader() as session:
        ids = backend.assignment.project_ids_of_user(session, user.id)
        found = backend.resource.list_projects(
            session, project_ids=ids, name=support.arg('name'),
            enabled=validation.query_bool('enabled'), domain_id=support.arg('domain_id'))
    return flask.jsonify(support.collection('projects', found, project_views.render))


@bp.get('/<user_id>/groups')
def list_user_groups(user_id):
    user = _load(user_id)
    support.authorize('list_groups_for_user', domain_id=user.domain_id, user_id=user.id)
    backend = support.backend()
    with backend.reader() as session:
        found = backend.users.groups_of(session, user.id)
    return flask.jsonify(support.collection('groups', found, group_views.render))
