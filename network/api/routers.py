"""``/v2.0/routers``: create, list, show, update, delete, add/remove interfaces."""
import flask
import sqlalchemy as sa

from common.wsgi import validation
from network import router_interfaces
from network import routers
from network.api import query
from network.api import support
from network.api.schemas import routers as schemas
from network.api.views import routers as views
from network.db import models as m
from network.db import retry

bp = flask.Blueprint('routers', __name__, url_prefix='/v2.0/routers')

COLLECTION = query.Collection('routers', m.Router, {
    'id': m.Router.id, 'name': m.Router.name, 'description': m.Router.description,
    'project_id': m.Router.project_id, 'tenant_id': m.Router.project_id,
    'status': m.Router.status, 'admin_state_up': m.Router.admin_state_up,
    'created_at': m.Router.created_at, 'updated_at': m.Router.updated_at,
    'revision_number': m.Router.revision_number,
})
GATEWAY_ADMIN_ONLY = ('enable_snat', 'external_fixed_ips')


def _show_admin_only():
    return support.allowed('get_router:distributed')


def _authorize_attributes(action, attrs, target):
    """The admin-only attributes of ``attrs`` (``action`` is ``create`` or ``update``)."""
    for key in ('distributed', 'ha'):
        if key in attrs:
            support.authorize(f'{action}_router:{key}', target)
    for key in GATEWAY_ADMIN_ONLY:
        if key in (attrs.get('external_gateway_info') or {}):
            support.authorize(f'{action}_router:external_gateway_info:{key}', target)


@bp.get('')
def list_routers():
    support.authorize('get_router')
    request = support.list_request(COLLECTION)
    show_admin_only = _show_admin_only()
    with support.backend().db.reader() as session:
        stmt = sa.select(m.Router).where(routers.visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render(r, show_admin_only) for r in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_router():
    attrs = support.body('router', schemas.create)
    ctx = support.context()
    project_id = attrs.get('project_id') or attrs.get('tenant_id') or ctx.project_id
    target = {'project_id': project_id}
    support.authorize('create_router', target)
    _authorize_attributes('create', attrs, target)
    backend, caller, show_admin_only = support.backend(), support.caller(), _show_admin_only()

    def create(session):
        router = routers.create(session, backend.conf, caller, project_id, attrs)
        return views.render(router, show_admin_only)
    body = retry.in_writer(backend.db, create)
    backend.notify(ctx, 'router.create.end', {'router': body})
    return support.created('router', body)


@bp.get('/<router_id>')
def get_router(router_id):
    with support.backend().db.reader() as session:
        router = routers.get(session, support.caller(), router_id)
        support.authorize('get_router', {'project_id': router.project_id})
        body = views.render(router, _show_admin_only())
    return support.show('router', body)


@bp.put('/<router_id>')
def update_router(router_id):
    attrs = support.body('router', schemas.update)
    backend, caller, show_admin_only = support.backend(), support.caller(), _show_admin_only()

    def update(session):
        router = routers.get(session, caller, router_id)
        target = {'project_id': router.project_id}
        support.authorize('update_router', target)
        _authorize_attributes('update', attrs, target)
        return views.render(routers.update(session, backend.conf, caller, router, attrs),
                            show_admin_only)
    body = retry.in_writer(backend.db, update)
    backend.notify(support.context(), 'router.update.end', {'router': body})
    return support.show('router', body)


@bp.delete('/<router_id>')
def delete_router(router_id):
    backend = support.backend()
    with backend.db.writer() as session:
        router = routers.get(session, support.caller(), router_id)
        support.authorize('delete_router', {'project_id': router.project_id})
        routers.delete(session, router)
    backend.notify(support.context(), 'router.delete.end', {'router_id': router_id})
    return support.no_content()


def _interface_action(router_id, action, event, change):
    """Run ``change(session, caller, router, info)`` on the caller's router; its answer."""
    info = validation.json_body(schemas.interface)
    backend, caller = support.backend(), support.caller()

    def work(session):
        router = routers.get(session, caller, router_id)
        support.authorize(action, {'project_id': router.project_id})
        return change(session, caller, router, info)
    answer = retry.in_writer(backend.db, work)
    backend.notify(support.context(), event, {'router_interface': answer})
    return flask.jsonify(answer)


@bp.put('/<router_id>/add_router_interface')
def add_router_interface(router_id):
    conf = support.backend().conf

    def add(session, caller, router, info):
        return router_interfaces.add(session, conf, caller, router, info)
    return _interface_action(router_id, 'add_router_interface', 'router.interface.create', add)


@bp.put('/<router_id>/remove_router_interface')
def remove_router_interface(router_id):
    return _interface_action(router_id, 'remove_router_interface', 'router.interface.delete',
                             router_interfaces.remove)
