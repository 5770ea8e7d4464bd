"""Role grants: ``/v3/{projects,domains}/{id}/{users,groups}/{id}/roles[/{role}]``
and ``/v3/system/{users,groups}/{id}/roles[/{role}]``.
"""
import flask

from identity.api import support
from identity.api.views import roles as role_views
from identity.db import models as m

bp = flask.Blueprint('grants', __name__, url_prefix='/v3')

TARGET = '/<any(projects,domains):target_kind>/<target_id>'
ACTOR = '/<any(users,groups):actor_kind>/<actor_id>'


def _policy_facts(target_kind, target_id, actor_kind, actor_id, role_id):
    """The domains of the target and of the actor (a domain admin must own
    both), and the name of the role (``None`` when unknown: the 404 comes later)."""
    backend = support.backend()
    with backend.reader() as session:
        if target_kind == 'projects':
            domain_id = backend.resource.get_project(session, target_id).domain_id
        else:
            domain_id = backend.resource.get_domain(session, target_id).id
        if actor_kind == 'users':
            actor_domain_id = backend.users.get_user(session, actor_id).domain_id
        else:
            actor_domain_id = backend.users.get_group(session, actor_id).domain_id
        role = session.get(m.Role, role_id) if role_id is not None else None
    return {domain_id, actor_domain_id}, role.name if role is not None else None


def _authorize(action, target_kind, target_id, actor_kind, actor_id, role_id=None):
    domains, role_name = _policy_facts(target_kind, target_id, actor_kind, actor_id, role_id)
    for domain in domains:
        support.authorize(action, domain_id=domain, role={'name': role_name})


def _grant_args(target_kind, target_id, actor_kind, actor_id):
    return dict(actor_id=actor_id, is_group=actor_kind == 'groups',
                target_kind='project' if target_kind == 'projects' else 'domain',
                target_id=target_id)


@bp.get(TARGET + ACTOR + '/roles')
def list_grants(target_kind, target_id, actor_kind, actor_id):
    _authorize('list_grants', target_kind, target_id, actor_kind, actor_id)
    backend = support.backend()
    with backend.reader() as session:
        roles = backend.assignment.grants_on(
            session, **_grant_args(target_kind, target_id, actor_kind, actor_id))
    return flask.jsonify(support.collection('roles', roles, role_views.render))


@bp.route(TARGET + ACTOR + '/roles/<role_id>', methods=['HEAD', 'GET'])
def check_grant(target_kind, target_id, actor_kind, actor_id, role_id):
    _authorize('check_grant', target_kind, target_id, actor_kind, actor_id, role_id)
    backend = support.backend()
    with backend.reader() as session:
        backend.assignment.check_grant(session, role_id, **_grant_args(
            target_kind, target_id, actor_kind, actor_id))
    return support.no_content()


@bp.put(TARGET + ACTOR + '/roles/<role_id>')
def create_grant(target_kind, target_id, actor_kind, actor_id, role_id):
    _authorize('create_grant', target_kind, target_id, actor_kind, actor_id, role_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.create_grant(session, role_id, **_grant_args(
            target_kind, target_id, actor_kind, actor_id))
    return support.no_content()


@bp.delete(TARGET + ACTOR + '/roles/<role_id>')
def revoke_grant(target_kind, target_id, actor_kind, actor_id, role_id):
    _authorize('revoke_grant', target_kind, target_id, actor_kind, actor_id, role_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.delete_grant(session, role_id, **_grant_args(
            target_kind, target_id, actor_kind, actor_id))
    return support.no_content()


def _system_args(actor_kind, actor_id):
    return dict(actor_id=actor_id, is_group=actor_kind == 'groups', target_kind='system',
                target_id=m.SYSTEM_TARGET)


@bp.get('/system' + ACTOR + '/roles')
def list_system_grants(actor_kind, actor_id):
    support.authorize('list_system_grants',
                      user_id=actor_id if actor_kind == 'users' else None)
    backend = support.backend()
    with backend.reader() as session:
        roles = backend.assignment.grants_on(session, **_system_args(actor_kind, actor_id))
    return flask.jsonify(support.collection('roles', roles, role_views.render))


@bp.route('/system' + ACTOR + '/roles/<role_id>', methods=['HEAD', 'GET'])
def check_system_grant(actor_kind, actor_id, role_id):
    support.authorize('check_system_grant',
                      user_id=actor_id if actor_kind == 'users' else None)
    backend = support.backend()
    with backend.reader() as session:
        backend.assignment.check_grant(session, role_id, **_system_args(actor_kind, actor_id))
    return support.no_content()


@bp.put('/system' + ACTOR + '/roles/<role_id>')
def create_system_grant(actor_kind, actor_id, role_id):
    support.authorize('create_system_grant')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.create_grant(session, role_id, **_system_args(actor_kind, actor_id))
    return support.no_content()


@bp.delete('/system' + ACTOR + '/roles/<role_id>')
def revoke_system_grant(actor_kind, actor_id, role_id):
    support.authorize('revoke_system_grant')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.delete_grant(session, role_id, **_system_args(actor_kind, actor_id))
    return support.no_content()
