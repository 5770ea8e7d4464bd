"""Router interfaces: ``add_router_interface`` / ``remove_router_interface``.

By subnet, the router gets a new ``network:router_interface`` port holding
the subnet's gateway address (IPAM's unique key refuses it when another
router or port has it).  By port, an unused port of the caller with an
address becomes the interface.  Either way the router may be on a subnet
once, and its subnets may not overlap.  An interface is removed with its
port, unless floating IPs or static routes still go through it.
"""
import ipaddress

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from network import exceptions as net_exc
from network import ports
from network import routers
from network import subnets
from network.db import api as db_api
from network.db import models as m


def _one_of(info):
    if not info.get('subnet_id') and not info.get('port_id'):
        raise exceptions.BadRequest('Either subnet_id or port_id must be specified')


def reply(router, port, subnet_ids):
    """The answer of both actions, as Neutron gives it."""
    return {'id': router.id, 'subnet_id': subnet_ids[0] if subnet_ids else None,
            'subnet_ids': subnet_ids, 'port_id': port.id, 'network_id': port.network_id,
            'project_id': port.project_id, 'tenant_id': port.project_id}


def _check_subnet_free(session, router, subnet):
    """400 when ``router`` is already on ``subnet`` or on a subnet overlapping it."""
    cidr = ipaddress.ip_network(subnet.cidr)
    for other, _ in routers.attached_subnets(session, router):
        if other.id == subnet.id:
            raise exceptions.BadRequest(f'Router already has a port on subnet {subnet.id}')
        other_cidr = ipaddress.ip_network(other.cidr)
        if other_cidr.version == cidr.version and other_cidr.overlaps(cidr):
            raise exceptions.BadRequest(
                f'Cidr {subnet.cidr} of subnet {subnet.id} overlaps with cidr {other.cidr} '
                f'of subnet {other.id}')


def _attach(session, router, port):
    try:
        with session.begin_nested():
            session.add(m.RouterPort(router_id=router.id, port_id=port.id,
                                     port_type=routers.INTERFACE))
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_entry(exc):
            # A foreign key: the router or the port was deleted meanwhile.
            if not db_api.exists(session, m.Router, router.id):
                raise net_exc.RouterNotFound(id=router.id) from None
            raise net_exc.PortNotFound(id=port.id) from None
        raise net_exc.PortInUse(port_id=port.id, net_id=port.network_id,
                                device_id=router.id) from None
    db_api.bump_revision(router)
    session.flush()
    session.expire(router, ['attached'])


def _by_subnet(session, conf, caller, router, subnet_id):
    subnet = subnets.get(session, caller, subnet_id)
    if not subnet.gateway_ip:
        raise exceptions.BadRequest(f'Subnet {subnet.id} does not have a gateway IP')
    _check_subnet_free(session, router, subnet)
    port = ports.create(session, conf, caller, router.project_id, {
        'network_id': subnet.network_id,
        'fixed_ips': [{'subnet_id': subnet.id, 'ip_address': subnet.gateway_ip}],
        'device_owner': routers.INTERFACE, 'device_id': router.id})
    return port, [subnet.id]


def _by_port(session, caller, router, port_id):
    if not db_api.lock(session, m.Port, port_id):
        raise net_exc.PortNotFound(id=port_id)
    port = ports.get(session, caller, port_id)
    if port.device_id or port.device_owner:
        raise net_exc.PortInUse(port_id=port.id, net_id=port.network_id,
                                device_id=port.device_id or port.device_owner)
    if not port.fixed_ips:
        raise exceptions.BadRequest(f'Router port {port.id} must have at least one fixed IP')
    port_subnets = [session.get(m.Subnet, a.subnet_id) for a in port.fixed_ips]
    if sum(1 for s in port_subnets if s.ip_version == 4) > 1:
        raise exceptions.BadRequest(f'Cannot have multiple IPv4 subnets on router port '
                                    f'{port.id}')
    for subnet in port_subnets:
        _check_subnet_free(session, router, subnet)
    port.device_owner, port.device_id = routers.INTERFACE, router.id
    port.security_group_bindings = []
    db_api.bump_revision(port)
    return port, list(dict.fromkeys(s.id for s in port_subnets))


def add(session, conf, caller, router, info):
    """Attach ``info['subnet_id']`` or ``info['port_id']`` to ``router``; the reply.

    The router is locked first (then the port): one deleted meanwhile is a 404,
    never a foreign-key error.
    """
    _one_of(info)
    if not db_api.lock(session, m.Router, router.id):
        raise net_exc.RouterNotFound(id=router.id)
    if info.get('port_id'):
        if info.get('subnet_id'):
            raise exceptions.BadRequest('Cannot specify both subnet_id and port_id')
        port, subnet_ids = _by_port(session, caller, router, info['port_id'])
    else:
        port, subnet_ids = _by_subnet(session, conf, caller, router, info['subnet_id'])
    _attach(session, router, port)
    return reply(router, port, subnet_ids)


def _find(session, caller, router, info):
    """The interface port ``info`` names, and the subnets it is on."""
    if info.get('port_id'):
        port = next((p for p in routers.interfaces(router) if p.id == info['port_id']), None)
        if port is None:
            raise net_exc.RouterInterfaceNotFound(router_id=router.id, port_id=info['port_id'])
        subnet_ids = [a.subnet_id for a in port.fixed_ips]
        if info.get('subnet_id') and info['subnet_id'] not in subnet_ids:
            raise exceptions.BadRequest(f"Subnet {info['subnet_id']} does not match the "
                                        f'subnets of port {port.id}')
        return port, list(dict.fromkeys(subnet_ids))
    subnet = subnets.get(session, caller, info['subnet_id'])
    for port in routers.interfaces(router):
        if any(a.subnet_id == subnet.id for a in port.fixed_ips):
            return port, list(dict.fromkeys(a.subnet_id for a in port.fixed_ips))
    raise net_exc.RouterInterfaceNotFoundForSubnet(router_id=router.id, subnet_id=subnet.id)


def _check_unused(session, router, port, subnet_ids):
    """409 while floating IPs or static routes of ``router`` go through ``port``."""
    through = session.execute(sa.select(m.FloatingIP.id).join(
        m.IPAllocation, sa.and_(m.IPAllocation.port_id == m.FloatingIP.fixed_port_id,
                                m.IPAllocation.ip_address == m.FloatingIP.fixed_ip_address))
        .where(m.FloatingIP.router_id == router.id,
               m.IPAllocation.subnet_id.in_(subnet_ids))).first()
    if through is not None:
        raise net_exc.RouterInterfaceInUseByFloatingIP(router_id=router.id,
                                                       subnet_id=subnet_ids[0])
    for subnet_id in subnet_ids:
        cidr = ipaddress.ip_network(session.get(m.Subnet, subnet_id).cidr)
        for route in router.routes:
            nexthop = ipaddress.ip_address(route['nexthop'])
            if nexthop.version == cidr.version and nexthop in cidr:
                raise net_exc.RouterInterfaceInUseByRoute(router_id=router.id,
                                                          subnet_id=subnet_id)


def remove(session, caller, router, info):
    """Detach the interface ``info`` names from ``router`` and delete its port; the reply.

    The router is locked first, as by ``add`` and by associating a floating IP
    through it, so the floating IP check sees every association made before.
    """
    _one_of(info)
    if not db_api.lock(session, m.Router, router.id):
        raise net_exc.RouterNotFound(id=router.id)
    port, subnet_ids = _find(session, caller, router, info)
    _check_unused(session, router, port, subnet_ids)
    answer = reply(router, port, subnet_ids)
    session.delete(port)
    db_api.bump_revision(router)
    session.flush()
    session.expire(router, ['attached'])
    return answer
