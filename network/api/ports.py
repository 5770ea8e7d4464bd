"""``/v2.0/ports``: create, list, show, update, delete."""
import flask
import sqlalchemy as sa

from network import networks
from network import ports
from network.api import query
from network.api import support
from network.api.schemas import ports as schemas
from network.api.views import ports as views
from network.db import models as m
from network.db import retry

bp = flask.Blueprint('ports', __name__, url_prefix='/v2.0/ports')

BINDING = ('binding:host_id', 'binding:profile')


def _fixed_ips_filter(values):
    """``fixed_ips=ip_address=10.0.0.5`` / ``fixed_ips=subnet_id=…`` (Neutron's form)."""
    clauses = []
    for value in values:
        key, _, wanted = value.partition('=')
        if key not in ('ip_address', 'subnet_id', 'ip_address_substr'):
            continue
        column = m.IPAllocation.subnet_id if key == 'subnet_id' else m.IPAllocation.ip_address
        condition = column.contains(wanted) if key == 'ip_address_substr' \
            else column == wanted
        clauses.append(m.Port.id.in_(sa.select(m.IPAllocation.port_id).where(condition)))
    return sa.and_(*clauses) if clauses else sa.true()


def _security_groups_filter(values):
    return m.Port.id.in_(sa.select(m.PortSecurityGroup.port_id).where(
        m.PortSecurityGroup.security_group_id.in_(values)))


COLLECTION = query.Collection('ports', m.Port, {
    'id': m.Port.id, 'name': m.Port.name, 'description': m.Port.description,
    'project_id': m.Port.project_id, 'tenant_id': m.Port.project_id,
    'network_id': m.Port.network_id, 'mac_address': m.Port.mac_address,
    'admin_state_up': m.Port.admin_state_up, 'status': m.Port.status,
    'device_id': m.Port.device_id, 'device_owner': m.Port.device_owner,
    'binding:host_id': m.Port.binding_host_id, 'binding:vnic_type': m.Port.binding_vnic_type,
    'port_security_enabled': m.Port.port_security_enabled,
    'created_at': m.Port.created_at, 'updated_at': m.Port.updated_at,
    'revision_number': m.Port.revision_number,
}, special_filters={'fixed_ips': _fixed_ips_filter,
                    'security_groups': _security_groups_filter})


def _show_binding():
    return support.allowed('get_port:binding:host_id')


def _authorize_binding(action, attrs, target):
    for key in BINDING:
        if attrs.get(key):
            support.authorize(f'{action}_port:{key}', target)


def _network_owner_only(attrs):
    """The attributes of ``attrs`` that policy reserves to the network's owner.

    On a network shared by another project they would let a port pick
    addresses (the gateway's, a neighbour's) or spoof its traffic.
    """
    asked = []
    if attrs.get('mac_address') is not None:
        asked.append('mac_address')
    if any(f.get('ip_address') is not None for f in attrs.get('fixed_ips') or []):
        asked.append('fixed_ips:ip_address')
    if attrs.get('port_security_enabled') is False:
        asked.append('port_security_enabled')
    if attrs.get('allowed_address_pairs'):
        asked.append('allowed_address_pairs')
    if (attrs.get('device_owner') or '').startswith('network:'):
        asked.append('device_owner')
    return asked


def _authorize_on_network(action, attrs, project_id, network):
    target = {'project_id': project_id, 'network:project_id': network.project_id}
    for key in _network_owner_only(attrs):
        support.authorize(f'{action}_port:{key}', target)


@bp.get('')
def list_ports():
    support.authorize('get_port')
    show_binding = _show_binding()
    request = support.list_request(COLLECTION, () if show_binding else ('binding:host_id',))
    with support.backend().db.reader() as session:
        stmt = sa.select(m.Port).where(ports.visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render(p, show_binding) for p in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_port():
    attrs = support.body('port', schemas.create)
    ctx = support.context()
    project_id = support.owner(attrs)
    target = {'project_id': project_id}
    support.authorize('create_port', target)
    _authorize_binding('create', attrs, target)
    backend = support.backend()
    caller, show_binding = support.caller(), _show_binding()

    def create(session):
        _authorize_on_network('create', attrs, project_id,
                              networks.usable(session, caller, attrs['network_id']))
        port = ports.create(session, backend.conf, caller, project_id, attrs)
        return views.render(port, show_binding)
    body = retry.in_writer(backend.db, create)
    backend.notify(ctx, 'port.create.end', {'port': body})
    return support.created('port', body)


@bp.get('/<port_id>')
def get_port(port_id):
    with support.backend().db.reader() as session:
        port = ports.get(session, support.caller(), port_id)
        support.authorize('get_port', {'project_id': port.project_id})
        body = views.render(port, _show_binding())
    return support.show('port', body)


@bp.put('/<port_id>')
def update_port(port_id):
    attrs = support.body('port', schemas.update)
    backend = support.backend()
    with backend.db.writer() as session:
        port = ports.get(session, support.caller(), port_id)
        target = {'project_id': port.project_id}
        support.authorize('update_port', target)
        _authorize_binding('update', attrs, target)
        _authorize_on_network('update', attrs, port.project_id,
                              session.get(m.Network, port.network_id))
        port = ports.update(session, support.caller(), port, attrs)
        body = views.render(port, _show_binding())
    backend.notify(support.context(), 'port.update.end', {'port': body})
    return support.show('port', body)


@bp.delete('/<port_id>')
def delete_port(port_id):
    backend = support.backend()
    with backend.db.writer() as session:
        port = ports.get(session, support.caller(), port_id)
        support.authorize('delete_port', {'project_id': port.project_id})
        ports.delete(session, port)
    backend.notify(support.context(), 'port.delete.end', {'port_id': port_id})
    return support.no_content()
