"""``/v2.0/networks``: create, list, show, update, delete."""
import flask
import sqlalchemy as sa

from network import networks
from network.api import query
from network.api import support
from network.api.schemas import networks as schemas
from network.api.views import networks as views
from network.db import api as db_api
from network.db import models as m
from network.db import retry

bp = flask.Blueprint('networks', __name__, url_prefix='/v2.0/networks')

COLLECTION = query.Collection('networks', m.Network, {
    'id': m.Network.id, 'name': m.Network.name, 'description': m.Network.description,
    'project_id': m.Network.project_id, 'tenant_id': m.Network.project_id,
    'status': m.Network.status, 'admin_state_up': m.Network.admin_state_up,
    'shared': m.Network.shared, 'router:external': m.Network.external,
    'mtu': m.Network.mtu, 'port_security_enabled': m.Network.port_security_enabled,
    'provider:network_type': m.Network.network_type,
    'provider:physical_network': m.Network.physical_network,
    'provider:segmentation_id': m.Network.segmentation_id,
    'created_at': m.Network.created_at, 'updated_at': m.Network.updated_at,
    'revision_number': m.Network.revision_number,
})
_PROVIDER = tuple(k for k in COLLECTION.columns if k.startswith('provider:'))


def _target(network):
    return {'project_id': network.project_id, 'shared': network.shared,
            'router:external': network.external}


def render(session, rows):
    subnets = db_api.subnets_of(session, [n.id for n in rows])
    show_provider = support.allowed('get_network:provider:network_type')
    return [views.render(n, subnets[n.id], show_provider) for n in rows]


@bp.get('')
def list_networks():
    support.authorize('get_network', {'shared': False, 'router:external': False})
    hidden = () if support.allowed('get_network:provider:network_type') else _PROVIDER
    request = support.list_request(COLLECTION, hidden)
    backend = support.backend()
    with backend.db.reader() as session:
        stmt = sa.select(m.Network).where(
            networks.visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = render(session, rows)
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_network():
    attrs = support.body('network', schemas.create)
    ctx = support.context()
    project_id = support.owner(attrs)
    target = {'project_id': project_id}
    support.authorize('create_network', target)
    for key in ('shared', 'router:external'):
        if attrs.get(key):
            support.authorize(f'create_network:{key}', target)
    for key in ('provider:network_type', 'provider:physical_network',
                'provider:segmentation_id'):
        if attrs.get(key) is not None:
            support.authorize(f'create_network:{key}', target)
    backend = support.backend()

    def create(session):
        return render(session, [networks.create(session, backend.conf, project_id, attrs)])[0]
    body = retry.in_writer(backend.db, create)
    backend.notify(ctx, 'network.create.end', {'network': body})
    return support.created('network', body)


@bp.get('/<network_id>')
def get_network(network_id):
    backend = support.backend()
    with backend.db.reader() as session:
        network = networks.get(session, support.caller(), network_id)
        support.authorize('get_network', _target(network))
        body = render(session, [network])[0]
    return support.show('network', body)


@bp.put('/<network_id>')
def update_network(network_id):
    attrs = support.body('network', schemas.update)
    backend = support.backend()
    with backend.db.writer() as session:
        network = networks.get(session, support.caller(), network_id)
        target = _target(network)
        support.authorize('update_network', target)
        for key in ('shared', 'router:external'):
            if key in attrs and attrs[key] != target[key]:
                support.authorize(f'update_network:{key}', target)
        network = networks.update(session, backend.conf, network, attrs)
        body = render(session, [network])[0]
    backend.notify(support.context(), 'network.update.end', {'network': body})
    return support.show('network', body)


@bp.delete('/<network_id>')
def delete_network(network_id):
    backend = support.backend()

    def delete(session):
        network = networks.get(session, support.caller(), network_id)
        support.authorize('delete_network', _target(network))
        networks.delete(session, network)
    retry.in_writer(backend.db, delete)
    backend.notify(support.context(), 'network.delete.end', {'network_id': network_id})
    return support.no_content()
