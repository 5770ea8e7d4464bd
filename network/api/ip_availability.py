"""``/v2.0/network-ip-availabilities``: how many addresses each network and subnet uses."""
import flask
import sqlalchemy as sa

from network import cidrs
from network import exceptions as net_exc
from network import subnets as subnet_rules
from network.api import support
from network.db import models as m

bp = flask.Blueprint('ip_availability', __name__, url_prefix='/v2.0/network-ip-availabilities')

FILTERS = ('network_id', 'network_name', 'project_id', 'tenant_id')


def _availabilities(session, network_ids=None):
    stmt = sa.select(m.Network).order_by(m.Network.created_at, m.Network.id)
    if network_ids is not None:
        stmt = stmt.where(m.Network.id.in_(network_ids))
    networks = list(session.execute(stmt).scalars())
    used = dict(session.execute(sa.select(m.IPAllocation.subnet_id, sa.func.count())
                                .group_by(m.IPAllocation.subnet_id)).all())
    subnets = {}
    for subnet in session.execute(sa.select(m.Subnet).order_by(m.Subnet.created_at)).scalars():
        subnets.setdefault(subnet.network_id, []).append(subnet)
    result = []
    for network in networks:
        entries = [{'subnet_id': s.id, 'subnet_name': s.name, 'cidr': s.cidr,
                    'ip_version': s.ip_version,
                    'total_ips': cidrs.pool_size(subnet_rules.pools_of(s)),
                    'used_ips': used.get(s.id, 0)} for s in subnets.get(network.id, [])]
        result.append({'network_id': network.id, 'network_name': network.name,
                       'project_id': network.project_id, 'tenant_id': network.project_id,
                       'total_ips': sum(e['total_ips'] for e in entries),
                       'used_ips': sum(e['used_ips'] for e in entries),
                       'subnet_ip_availability': entries})
    return result


@bp.get('')
def list_availabilities():
    support.authorize('get_network_ip_availability')
    with support.backend().db.reader() as session:
        items = _availabilities(session)
    for key in FILTERS:
        wanted = flask.request.args.getlist(key)
        if wanted:
            items = [i for i in items if i[key] in wanted]
    versions = flask.request.args.getlist('ip_version')
    if versions:
        items = [i for i in items if any(str(s['ip_version']) in versions
                                         for s in i['subnet_ip_availability'])]
    return flask.jsonify(network_ip_availabilities=items)


@bp.get('/<network_id>')
def get_availability(network_id):
    support.authorize('get_network_ip_availability')
    with support.backend().db.reader() as session:
        items = _availabilities(session, [network_id])
    if not items:
        raise net_exc.NetworkNotFound(id=network_id)
    return support.show('network_ip_availability', items[0])
