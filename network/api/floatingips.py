"""``/v2.0/floatingips``: allocate, list, show, associate/disassociate, release."""
import flask
import sqlalchemy as sa

from network import floating_ips
from network.api import query
from network.api import support
from network.api.schemas import floatingips as schemas
from network.api.views import floatingips as views
from network.db import models as m
from network.db import retry

bp = flask.Blueprint('floatingips', __name__, url_prefix='/v2.0/floatingips')

COLLECTION = query.Collection('floatingips', m.FloatingIP, {
    'id': m.FloatingIP.id, 'description': m.FloatingIP.description,
    'project_id': m.FloatingIP.project_id, 'tenant_id': m.FloatingIP.project_id,
    'floating_ip_address': m.FloatingIP.floating_ip_address,
    'floating_network_id': m.FloatingIP.floating_network_id,
    'port_id': m.FloatingIP.fixed_port_id, 'fixed_ip_address': m.FloatingIP.fixed_ip_address,
    'router_id': m.FloatingIP.router_id, 'status': m.FloatingIP.status,
    'created_at': m.FloatingIP.created_at, 'updated_at': m.FloatingIP.updated_at,
    'revision_number': m.FloatingIP.revision_number,
})


@bp.get('')
def list_floatingips():
    support.authorize('get_floatingip')
    request = support.list_request(COLLECTION)
    with support.backend().db.reader() as session:
        stmt = sa.select(m.FloatingIP).where(floating_ips.visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render(f) for f in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_floatingip():
    attrs = support.body('floatingip', schemas.create)
    ctx = support.context()
    project_id = attrs.get('project_id') or attrs.get('tenant_id') or ctx.project_id
    target = {'project_id': project_id}
    support.authorize('create_floatingip', target)
    if attrs.get('floating_ip_address') is not None:
        support.authorize('create_floatingip:floating_ip_address', target)
    backend, caller = support.backend(), support.caller()

    def create(session):
        return views.render(floating_ips.create(session, backend.conf, caller, project_id,
                                                attrs))
    body = retry.in_writer(backend.db, create)
    backend.notify(ctx, 'floatingip.create.end', {'floatingip': body})
    return support.created('floatingip', body)


@bp.get('/<fip_id>')
def get_floatingip(fip_id):
    with support.backend().db.reader() as session:
        fip = floating_ips.get(session, support.caller(), fip_id)
        support.authorize('get_floatingip', {'project_id': fip.project_id})
        body = views.render(fip)
    return support.show('floatingip', body)


@bp.put('/<fip_id>')
def update_floatingip(fip_id):
    attrs = support.body('floatingip', schemas.update)
    backend, caller = support.backend(), support.caller()

    def update(session):
        fip = floating_ips.get(session, caller, fip_id)
        support.authorize('update_floatingip', {'project_id': fip.project_id})
        return views.render(floating_ips.update(session, caller, fip, attrs))
    body = retry.in_writer(backend.db, update)
    backend.notify(support.context(), 'floatingip.update.end', {'floatingip': body})
    return support.show('floatingip', body)


@bp.delete('/<fip_id>')
def delete_floatingip(fip_id):
    backend = support.backend()
    with backend.db.writer() as session:
        fip = floating_ips.get(session, support.caller(), fip_id)
        support.authorize('delete_floatingip', {'project_id': fip.project_id})
        floating_ips.delete(session, fip)
    backend.notify(support.context(), 'floatingip.delete.end', {'floatingip_id': fip_id})
    return support.no_content()
