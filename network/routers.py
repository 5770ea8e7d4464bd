"""Routers: visibility, the external gateway (with SNAT), static routes, deletes.

A router's ports are rows of ``router_ports`` (a port serves one router
only: it is the primary key).  The gateway is a ``network:router_gateway``
port on a ``router:external`` network, owned by the service (project
``''``, as in Neutron), so that projects neither see nor count it.
Interfaces are managed by ``network.router_interfaces``.
"""
import dataclasses
import ipaddress

import sqlalchemy as sa

from common import exceptions
from network import cidrs
from network import exceptions as net_exc
from network import ports
from network import quotas
from network.db import api as db_api
from network.db import models as m

INTERFACE = 'network:router_interface'
GATEWAY = 'network:router_gateway'
SERVICE_PROJECT = ''
MAX_ROUTES = 30


@dataclasses.dataclass(frozen=True)
class ServiceCaller:
    """The network service acting for itself: it may put ports on any network."""
    project_id: str = SERVICE_PROJECT
    is_admin: bool = True


SERVICE = ServiceCaller()


def visible(caller):
    return sa.true() if caller.is_admin else m.Router.project_id == caller.project_id


def get(session, caller, router_id):
    router = session.execute(sa.select(m.Router).where(
        m.Router.id == router_id, visible(caller))).scalar_one_or_none()
    if router is None:
        raise net_exc.RouterNotFound(id=router_id)
    return router


def interfaces(router):
    """The interface ports of ``router``."""
    return [a.port for a in router.attached if a.port_type == INTERFACE]


def attached_subnets(session, router):
    """``[(subnet, port)]`` of every address of the router's ports, gateway included."""
    pairs = [(a.subnet_id, attachment.port) for attachment in router.attached
             for a in attachment.port.fixed_ips]
    if not pairs:
        return []
    found = {s.id: s for s in session.execute(sa.select(m.Subnet).where(
        m.Subnet.id.in_({subnet_id for subnet_id, _ in pairs}))).scalars()}
    return [(found[subnet_id], port) for subnet_id, port in pairs if subnet_id in found]


def floating_ips_through(session, router):
    return session.execute(sa.select(m.FloatingIP.id).where(
        m.FloatingIP.router_id == router.id)).first() is not None


def _check_supported(attrs):
    for key in ('distributed', 'ha'):
        if attrs.get(key):
            raise net_exc.InvalidInput(detail=f'{key} routers are not supported')


def create(session, conf, caller, project_id, attrs):
    _check_supported(attrs)
    quotas.check(session, conf, project_id, 'router')
    router = m.Router(project_id=project_id, name=attrs.get('name') or '',
                      description=attrs.get('description') or '',
                      admin_state_up=attrs.get('admin_state_up', True), routes=[])
    session.add(router)
    session.flush()
    if attrs.get('external_gateway_info'):
        set_gateway(session, conf, caller, router, attrs['external_gateway_info'])
    return router


def update(session, conf, caller, router, attrs):
    _check_supported(attrs)
    for key in ('name', 'description'):
        if key in attrs:
            setattr(router, key, attrs[key] or '')
    if 'admin_state_up' in attrs:
        router.admin_state_up = attrs['admin_state_up']
    if 'external_gateway_info' in attrs:
        set_gateway(session, conf, caller, router, attrs['external_gateway_info'])
    if 'routes' in attrs:
        router.routes = validated_routes(session, router, attrs['routes'] or [])
    db_api.bump_revision(router)
    session.flush()
    return router


def delete(session, router):
    """Delete ``router`` and its gateway; 409 while it has interfaces.

    Locked first, so that an interface added meanwhile is seen (or is refused).
    """
    db_api.lock(session, m.Router, router.id)
    session.expire(router, ['attached'])
    if interfaces(router):
        raise net_exc.RouterInUse(id=router.id, reason='still has ports')
    _clear_gateway(session, router)
    session.delete(router)
    session.flush()


def _external_network(session, network_id):
    network = session.get(m.Network, network_id)
    if network is None:
        raise net_exc.NetworkNotFound(id=network_id)
    if not network.external:
        raise exceptions.BadRequest(f'Network {network_id} is not an external network')
    return network


def set_gateway(session, conf, caller, router, info):
    """Set, change or (``info`` empty or None) clear the external gateway of ``router``.

    :param info: ``{"network_id", "enable_snat"?, "external_fixed_ips"?}``;
        ``enable_snat`` is true when not given, as Neutron's default.
    """
    if not info:
        _clear_gateway(session, router)
        return
    if not info.get('network_id'):
        raise net_exc.InvalidInput(detail='network_id is required in external_gateway_info')
    network = _external_network(session, info['network_id'])
    fixed_ips = info.get('external_fixed_ips')
    current = router.gw_port
    if current is not None and current.network_id == network.id:
        if fixed_ips is not None:
            ports.update(session, SERVICE, current, {'fixed_ips': fixed_ips})
    else:
        _clear_gateway(session, router)
        port = ports.create(session, conf, SERVICE, SERVICE_PROJECT, {
            'network_id': network.id, 'fixed_ips': fixed_ips or None,
            'device_owner': GATEWAY, 'device_id': router.id})
        session.add(m.RouterPort(router_id=router.id, port_id=port.id, port_type=GATEWAY))
        router.gw_port_id = port.id
    router.enable_snat = info.get('enable_snat', True)
    session.flush()
    session.expire(router, ['gw_port', 'attached'])


def _clear_gateway(session, router):
    port = router.gw_port
    if port is None:
        return
    if floating_ips_through(session, router):
        raise net_exc.RouterExternalGatewayInUseByFloatingIp(router_id=router.id,
                                                             net_id=port.network_id)
    router.gw_port_id = None
    router.enable_snat = True
    session.flush()
    session.delete(port)
    session.flush()
    session.expire(router, ['gw_port', 'attached'])


def validated_routes(session, router, routes):
    """``routes`` normalised; each next hop must be on a subnet the router is on."""
    if len(routes) > MAX_ROUTES:
        raise net_exc.RoutesExhausted(router_id=router.id, quota=MAX_ROUTES)
    normalised = cidrs.host_routes(routes)
    on = attached_subnets(session, router)
    networks = [ipaddress.ip_network(subnet.cidr) for subnet, _ in on]
    own = {a.ip_address for _, port in on for a in port.fixed_ips}
    for route in normalised:
        nexthop = ipaddress.ip_address(route['nexthop'])
        if route['nexthop'] in own:
            raise net_exc.InvalidRoutes(routes=route, reason='the nexthop is used by router')
        if not any(nexthop.version == n.version and nexthop in n for n in networks):
            raise net_exc.InvalidRoutes(routes=route,
                                        reason='the nexthop is not connected with router')
    return normalised
