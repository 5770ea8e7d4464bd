"""Floating IPs: allocation on an external network, association with a port.

The address is held by a ``network:floatingip`` port of the service on the
external network, so IPAM's unique key keeps it from being handed out
twice.  Associating needs a router that joins the two: a gateway on the
floating network and an interface on the subnet of the port's address;
the unique key (fixed port, fixed address) allows one floating IP each.
"""
import ipaddress

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from common.db.types import new_uuid
from network import exceptions as net_exc
from network import networks
from network import ports
from network import quotas
from network import routers
from network.db import api as db_api
from network.db import models as m

OWNER = 'network:floatingip'
# Ports of routers and floating IPs carry no floating IP themselves.
L3_OWNERS = (routers.INTERFACE, routers.GATEWAY, OWNER)


def visible(caller):
    return sa.true() if caller.is_admin else m.FloatingIP.project_id == caller.project_id


def get(session, caller, fip_id):
    fip = session.execute(sa.select(m.FloatingIP).where(
        m.FloatingIP.id == fip_id, visible(caller))).scalar_one_or_none()
    if fip is None:
        raise net_exc.FloatingIPNotFound(id=fip_id)
    return fip


def _floating_network(session, caller, network_id):
    network = networks.get(session, caller, network_id)
    if not network.external:
        raise exceptions.BadRequest(f'Network {network_id} is not a valid external network')
    return network


def _address_requests(session, network, attrs):
    """The ``fixed_ips`` asks to try in turn for the floating IP's port."""
    address, subnet_id = attrs.get('floating_ip_address'), attrs.get('subnet_id')
    if address is not None or subnet_id is not None:
        ask = {k: v for k, v in (('ip_address', address), ('subnet_id', subnet_id)) if v}
        return [[ask]]
    ipv4 = session.execute(sa.select(m.Subnet.id).where(
        m.Subnet.network_id == network.id, m.Subnet.ip_version == 4)
        .order_by(m.Subnet.created_at, m.Subnet.id)).scalars().all()
    if not ipv4:
        raise exceptions.BadRequest(f'Network {network.id} does not contain any IPv4 subnet')
    return [[{'subnet_id': s}] for s in ipv4]


def _allocate_port(session, conf, network, fip_id, attrs):
    """The floating IP's port, with an IPv4 address of the first subnet that has one."""
    asks = _address_requests(session, network, attrs)
    for i, fixed_ips in enumerate(asks):
        try:
            with session.begin_nested():
                port = ports.create(session, conf, routers.SERVICE, routers.SERVICE_PROJECT, {
                    'network_id': network.id, 'fixed_ips': fixed_ips,
                    'device_owner': OWNER, 'device_id': fip_id})
            break
        except net_exc.IpAddressGenerationFailure:
            if i == len(asks) - 1:
                raise
    address = next((a.ip_address for a in port.fixed_ips
                    if ipaddress.ip_address(a.ip_address).version == 4), None)
    if address is None:
        raise exceptions.BadRequest('A floating IP address must be an IPv4 address')
    return port, address


def create(session, conf, caller, project_id, attrs):
    network = _floating_network(session, caller, attrs['floating_network_id'])
    quotas.check(session, conf, project_id, 'floatingip')
    fip_id = new_uuid()
    port, address = _allocate_port(session, conf, network, fip_id, attrs)
    fip = m.FloatingIP(id=fip_id, project_id=project_id, name='',
                       description=attrs.get('description') or '',
                       floating_ip_address=address, floating_network_id=network.id,
                       floating_port_id=port.id, status='DOWN')
    session.add(fip)
    session.flush()
    if attrs.get('port_id'):
        associate(session, caller, fip, attrs['port_id'], attrs.get('fixed_ip_address'))
    return fip


def _fixed_address(port, asked):
    """The allocation of ``port`` to put the floating IP on: IPv4, the one asked for."""
    ipv4 = [a for a in port.fixed_ips if ipaddress.ip_address(a.ip_address).version == 4]
    if asked is not None:
        chosen = next((a for a in ipv4 if a.ip_address == asked), None)
        if chosen is None:
            raise exceptions.BadRequest(f'Port {port.id} does not have fixed ip {asked}')
        return chosen
    if not ipv4:
        raise exceptions.BadRequest(f'Bad floatingip request: Port {port.id} does not have '
                                    'any IPv4 address')
    if len(ipv4) > 1:
        raise exceptions.BadRequest(f'Port {port.id} has multiple fixed IPv4 addresses. Must '
                                    'provide a specific IPv4 address when assigning a '
                                    'floating IP')
    return ipv4[0]


def router_between(session, floating_network_id, subnet_id):
    """The router with a gateway on the floating network and an interface on the subnet."""
    gateways = sa.select(m.Port.id).where(m.Port.network_id == floating_network_id,
                                          m.Port.device_owner == routers.GATEWAY)
    on_subnet = sa.select(m.RouterPort.router_id).join(
        m.IPAllocation, m.IPAllocation.port_id == m.RouterPort.port_id).where(
        m.RouterPort.port_type == routers.INTERFACE, m.IPAllocation.subnet_id == subnet_id)
    return session.execute(sa.select(m.Router).where(
        m.Router.gw_port_id.in_(gateways), m.Router.id.in_(on_subnet))
        .order_by(m.Router.created_at, m.Router.id).limit(1)).scalar_one_or_none()


def _already_associated(fip, port, address):
    return net_exc.FloatingIPPortAlreadyAssociated(
        floating_ip_address=fip.floating_ip_address, fip_id=fip.id, port_id=port.id,
        fixed_ip=address, net_id=fip.floating_network_id)


def _gone(session, fip, port, allocation):
    """The 404 for a foreign key that failed: the port, or else the router, was deleted."""
    if not db_api.exists(session, m.Port, port.id):
        return net_exc.PortNotFound(id=port.id)
    return net_exc.ExternalGatewayForFloatingIPNotFound(
        external_network_id=fip.floating_network_id, subnet_id=allocation.subnet_id,
        port_id=port.id)


def associate(session, caller, fip, port_id, fixed_ip_address=None):
    """Point ``fip`` at ``port_id`` (its project's port; any port for cloud admins).

    The router, then the port (the order of every change that locks both), are
    locked before the floating IP refers to them, and the port's address read
    again: one deleted meanwhile is a 404, never a foreign-key error.
    """
    port = session.get(m.Port, port_id)
    if port is None or not (caller.is_admin or port.project_id == fip.project_id):
        raise net_exc.PortNotFound(id=port_id)
    if port.device_owner in L3_OWNERS:
        raise exceptions.BadRequest(f'Port {port.id} has owner {port.device_owner} and '
                                    'therefore cannot be assigned a floating IP')
    allocation = _fixed_address(port, fixed_ip_address)
    router = router_between(session, fip.floating_network_id, allocation.subnet_id)
    if router is not None and not db_api.lock(session, m.Router, router.id):
        router = None
    if router is None:
        raise net_exc.ExternalGatewayForFloatingIPNotFound(
            external_network_id=fip.floating_network_id, subnet_id=allocation.subnet_id,
            port_id=port.id)
    if not db_api.lock(session, m.Port, port.id):
        raise net_exc.PortNotFound(id=port.id)
    session.expire(port, ['fixed_ips'])
    allocation = _fixed_address(port, allocation.ip_address)
    taken = session.execute(sa.select(m.FloatingIP.id).where(
        m.FloatingIP.fixed_port_id == port.id,
        m.FloatingIP.fixed_ip_address == allocation.ip_address,
        m.FloatingIP.id != fip.id)).first()
    if taken is not None:
        raise _already_associated(fip, port, allocation.ip_address)
    try:
        with session.begin_nested():
            fip.fixed_port_id, fip.fixed_ip_address = port.id, allocation.ip_address
            fip.router_id, fip.status = router.id, 'ACTIVE'
            session.flush()
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_entry(exc):
            raise _gone(session, fip, port, allocation) from None
        raise _already_associated(fip, port, allocation.ip_address) from None
    session.expire(fip, ['fixed_port'])


def disassociate(fip):
    fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
    fip.status = 'DOWN'


def update(session, caller, fip, attrs):
    if 'description' in attrs:
        fip.description = attrs['description'] or ''
    if 'port_id' in attrs:
        if attrs['port_id'] is None:
            disassociate(fip)
        else:
            associate(session, caller, fip, attrs['port_id'], attrs.get('fixed_ip_address'))
    elif attrs.get('fixed_ip_address') is not None:
        if fip.fixed_port_id is None:
            raise exceptions.BadRequest('fixed_ip_address cannot be specified without a '
                                        'port_id')
        associate(session, caller, fip, fip.fixed_port_id, attrs['fixed_ip_address'])
    db_api.bump_revision(fip)
    session.flush()
    session.expire(fip, ['fixed_port'])
    return fip


def delete(session, fip):
    """Delete ``fip`` and the port holding its address."""
    port = session.get(m.Port, fip.floating_port_id)
    session.delete(fip)
    session.flush()
    if port is not None:
        session.delete(port)
        session.flush()
