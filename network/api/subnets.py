"""``/v2.0/subnets``: create, list, show, update, delete."""
import flask
import sqlalchemy as sa

from network import subnets
from network.api import query
from network.api import support
from network.api.schemas import subnets as schemas
from network.api.views import subnets as views
from network.db import models as m
from network.db import retry

bp = flask.Blueprint('subnets', __name__, url_prefix='/v2.0/subnets')

COLLECTION = query.Collection('subnets', m.Subnet, {
    'id': m.Subnet.id, 'name': m.Subnet.name, 'description': m.Subnet.description,
    'project_id': m.Subnet.project_id, 'tenant_id': m.Subnet.project_id,
    'network_id': m.Subnet.network_id, 'ip_version': m.Subnet.ip_version,
    'cidr': m.Subnet.cidr, 'gateway_ip': m.Subnet.gateway_ip,
    'enable_dhcp': m.Subnet.enable_dhcp, 'ipv6_ra_mode': m.Subnet.ipv6_ra_mode,
    'ipv6_address_mode': m.Subnet.ipv6_address_mode,
    'created_at': m.Subnet.created_at, 'updated_at': m.Subnet.updated_at,
    'revision_number': m.Subnet.revision_number,
})


def _shared(session, subnet):
    return bool(session.execute(sa.select(m.Network.shared).where(
        m.Network.id == subnet.network_id)).scalar())


@bp.get('')
def list_subnets():
    support.authorize('get_subnet', {'shared': False})
    request = support.list_request(COLLECTION)
    with support.backend().db.reader() as session:
        stmt = sa.select(m.Subnet).where(subnets.visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render(s) for s in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_subnet():
    attrs = support.body('subnet', schemas.create)
    ctx = support.context()
    project_id = support.owner(attrs)
    support.authorize('create_subnet', {'project_id': project_id})
    backend = support.backend()

    def create(session):
        return views.render(subnets.create(session, backend.conf, support.caller(),
                                           project_id, attrs))
    # Concurrent creates on one network both move its revision: one may be a deadlock victim.
    body = retry.in_writer(backend.db, create)
    backend.notify(ctx, 'subnet.create.end', {'subnet': body})
    return support.created('subnet', body)


@bp.get('/<subnet_id>')
def get_subnet(subnet_id):
    with support.backend().db.reader() as session:
        subnet = subnets.get(session, support.caller(), subnet_id)
        support.authorize('get_subnet', {'project_id': subnet.project_id,
                                         'shared': _shared(session, subnet)})
        body = views.render(subnet)
    return support.show('subnet', body)


@bp.put('/<subnet_id>')
def update_subnet(subnet_id):
    attrs = support.body('subnet', schemas.update)
    backend = support.backend()
    with backend.db.writer() as session:
        subnet = subnets.get(session, support.caller(), subnet_id)
        support.authorize('update_subnet', {'project_id': subnet.project_id})
        body = views.render(subnets.update(session, subnet, attrs))
    backend.notify(support.context(), 'subnet.update.end', {'subnet': body})
    return support.show('subnet', body)


@bp.delete('/<subnet_id>')
def delete_subnet(subnet_id):
    backend = support.backend()

    def delete(session):
        subnet = subnets.get(session, support.caller(), subnet_id)
        support.authorize('delete_subnet', {'project_id': subnet.project_id})
        subnets.delete(session, subnet)
    retry.in_writer(backend.db, delete)
    backend.notify(support.context(), 'subnet.delete.end', {'subnet_id': subnet_id})
    return support.no_content()
