"""``/v3/groups`` and group membership."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import groups as schemas
from identity.api.views import groups as views
from identity.api.views import users as user_views

bp = flask.Blueprint('groups', __name__, url_prefix='/v3/groups')


def _load(group_id):
    backend = support.backend()
    with backend.reader() as session:
        return backend.users.get_group(session, group_id)


def _user_domain(user_id):
    """The domain of the user joining or leaving a group: a domain admin must own both."""
    backend = support.backend()
    with backend.reader() as session:
        return backend.users.get_user(session, user_id).domain_id


@bp.get('')
def list_groups():
    ctx = support.context()
    domain_id = support.arg('domain_id')
    support.authorize('list_groups', domain_id=domain_id or ctx.domain_id)
    if not support.is_cloud_reader():
        domain_id = ctx.domain_id
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.users.list_groups(session, name=support.arg('name'),
                                          domain_id=domain_id, limit=limit, marker=marker)
    return flask.jsonify(support.collection('groups', found, views.render, limit))


@bp.post('')
def create_group():
    attrs = validation.json_body(schemas.create)['group']
    backend = support.backend()
    ctx = support.context()
    attrs['domain_id'] = attrs.get('domain_id') or ctx.domain_id or \
        backend.conf.identity.default_domain_id
    support.authorize('create_group', domain_id=attrs['domain_id'])
    with backend.writer(ctx) as session:
        group = backend.users.create_group(session, attrs)
    return flask.jsonify(group=views.render(group)), 201


@bp.get('/<group_id>')
def get_group(group_id):
    group = _load(group_id)
    support.authorize('get_group', domain_id=group.domain_id)
    return flask.jsonify(group=views.render(group))


@bp.patch('/<group_id>')
def update_group(group_id):
    attrs = validation.json_body(schemas.update)['group']
    group = _load(group_id)
    support.authorize('update_group', domain_id=group.domain_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        group = backend.users.update_group(session, group_id, attrs)
    return flask.jsonify(group=views.render(group))


@bp.delete('/<group_id>')
def delete_group(group_id):
    group = _load(group_id)
    support.authorize('delete_group', domain_id=group.domain_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.users.delete_group(session, group_id)
    return support.no_content()


@bp.get('/<group_id>/users')
def list_members(group_id):
    group = _load(group_id)
    support.authorize('list_users_in_group', domain_id=group.domain_id)
    backend = support.backend()
    with backend.reader() as session:
        found = backend.users.members(session, group_id)
    return flask.jsonify(support.collection('users', found, user_views.render))


@bp.route('/<group_id>/users/<user_id>', methods=['HEAD', 'GET'])
def check_member(group_id, user_id):
    group = _load(group_id)
    support.authorize('check_user_in_group', domain_id=group.domain_id, user_id=user_id)
    backend = support.backend()
    with backend.reader() as session:
        backend.users.check_member(session, group_id, user_id)
    return support.no_content()


@bp.put('/<group_id>/users/<user_id>')
def add_member(group_id, user_id):
    group = _load(group_id)
    support.authorize('add_user_to_group', domain_id=group.domain_id, user_id=user_id)
    support.authorize('add_user_to_group', domain_id=_user_domain(user_id), user_id=user_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.users.add_member(session, group_id, user_id)
    return support.no_content()


@bp.delete('/<group_id>/users/<user_id>')
def remove_member(group_id, user_id):
    group = _load(group_id)
    support.authorize('remove_user_from_group', domain_id=group.domain_id, user_id=user_id)
    support.authorize('remove_user_from_group', domain_id=_user_domain(user_id), user_id=user_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.users.remove_member(session, group_id, user_id)
    return support.no_content()
