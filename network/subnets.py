"""Subnets: visibility, creation with validated addressing, in-use deletes."""
import ipaddress

import sqlalchemy as sa

from network import cidrs
from network import exceptions as net_exc
from network import networks
from network import quotas
from network.db import api as db_api
from network.db import models as m

# Address modes in which a port's address derives from its MAC (see ipam.eui64).
AUTO_ADDRESS_MODES = ('slaac', 'dhcpv6-stateless')


def visible(caller):
    """Subnets ``caller`` sees: theirs, and those of shared networks."""
    if caller.is_admin:
        return sa.true()
    shared = sa.select(m.Network.id).where(m.Network.shared.is_(True))
    return sa.or_(m.Subnet.project_id == caller.project_id, m.Subnet.network_id.in_(shared))


def get(session, caller, subnet_id):
    subnet = session.execute(sa.select(m.Subnet).where(
        m.Subnet.id == subnet_id, visible(caller))).scalar_one_or_none()
    if subnet is None:
        raise net_exc.SubnetNotFound(id=subnet_id)
    return subnet


def pools_of(subnet):
    return [(ipaddress.ip_address(p['start']), ipaddress.ip_address(p['end']))
            for p in subnet.allocation_pools]


def _as_json_pools(pool_list):
    return [{'start': str(s), 'end': str(e)} for s, e in pool_list]


def _ipv6_modes(attrs, ip_version):
    modes = {k: attrs.get(k) for k in ('ipv6_ra_mode', 'ipv6_address_mode')}
    if ip_version == 4 and any(modes.values()):
        raise net_exc.InvalidInput(detail='ipv6_ra_mode or ipv6_address_mode cannot be set '
                                          'when ip_version is 4')
    if all(modes.values()) and modes['ipv6_ra_mode'] != modes['ipv6_address_mode']:
        raise net_exc.InvalidInput(detail='ipv6_ra_mode set to {ipv6_ra_mode} with '
                                          'ipv6_address_mode set to {ipv6_address_mode} is '
                                          'not valid'.format(**modes))
    return modes


def create(session, conf, caller, project_id, attrs):
    network = networks.usable(session, caller, attrs['network_id'])
    if network.project_id != project_id and not caller.is_admin:
        # Only the network's owner (or an admin) adds subnets, even to a shared network.
        raise net_exc.NetworkNotFound(id=network.id)
    ip_version = attrs.get('ip_version', 4)
    if 'cidr' not in attrs or attrs['cidr'] is None:
        raise net_exc.InvalidInput(detail='A cidr must be specified in the absence of a '
                                          'subnet pool')
    cidr = cidrs.parse_cidr(attrs['cidr'], ip_version)
    modes = _ipv6_modes(attrs, ip_version)
    if modes['ipv6_address_mode'] in AUTO_ADDRESS_MODES:
        cidrs.check_auto_address_cidr(cidr)
    enable_dhcp = attrs.get('enable_dhcp', True)
    if enable_dhcp:
        cidrs.check_dhcp_cidr(cidr)
    gateway = cidrs.gateway(cidr, attrs.get('gateway_ip'), 'gateway_ip' in attrs)
    given_pools = attrs.get('allocation_pools')
    # An empty list is a subnet without pools: its addresses are only ever chosen.
    pool_list = cidrs.pools(cidr, gateway, given_pools) if given_pools is not None \
        else cidrs.default_pools(cidr, gateway)
    others = session.execute(sa.select(m.Subnet.cidr).where(
        m.Subnet.network_id == network.id)).scalars()
    clash = cidrs.overlapping(cidr, others)
    if clash is not None:
        raise net_exc.InvalidInput(detail=f'Requested subnet with cidr: {cidr} for network: '
                                          f'{network.id} overlaps with another subnet')
    quotas.check(session, conf, project_id, 'subnet')
    subnet = m.Subnet(
        project_id=project_id, network_id=network.id, name=attrs.get('name') or '',
        description=attrs.get('description') or '', ip_version=ip_version, cidr=str(cidr),
        gateway_ip=str(gateway) if gateway is not None else None,
        enable_dhcp=enable_dhcp, allocation_pools=_as_json_pools(pool_list),
        dns_nameservers=cidrs.nameservers(attrs.get('dns_nameservers') or []),
        host_routes=cidrs.host_routes(attrs.get('host_routes') or []), **modes)
    session.add(subnet)
    db_api.bump_revision(network)
    session.flush()
    return subnet


def update(session, subnet, attrs):
    cidr = ipaddress.ip_network(subnet.cidr)
    gateway = cidrs.gateway(cidr, attrs['gateway_ip'], True) if 'gateway_ip' in attrs \
        else (ipaddress.ip_address(subnet.gateway_ip) if subnet.gateway_ip else None)
    if 'allocation_pools' in attrs or 'gateway_ip' in attrs:
        given = attrs.get('allocation_pools', subnet.allocation_pools)
        pool_list = cidrs.pools(cidr, gateway, given)
        if gateway is not None and str(gateway) != subnet.gateway_ip and \
                str(gateway) in db_api.allocated_addresses(session, subnet.id):
            raise net_exc.IpAddressInUse(network_id=subnet.network_id,
                                         ip_address=str(gateway))
        subnet.allocation_pools = _as_json_pools(pool_list)
        subnet.gateway_ip = str(gateway) if gateway is not None else None
    for key in ('name', 'description'):
        if key in attrs:
            setattr(subnet, key, attrs[key] or '')
    if 'enable_dhcp' in attrs:
        if attrs['enable_dhcp'] and not subnet.enable_dhcp:
            cidrs.check_dhcp_cidr(cidr)
        subnet.enable_dhcp = attrs['enable_dhcp']
    if 'dns_nameservers' in attrs:
        subnet.dns_nameservers = cidrs.nameservers(attrs['dns_nameservers'] or [])
    if 'host_routes' in attrs:
        subnet.host_routes = cidrs.host_routes(attrs['host_routes'] or [])
    db_api.bump_revision(subnet)
    session.flush()
    return subnet


def delete(session, subnet):
    """Delete ``subnet``; 409 while a port the service does not own has an address on it.

    Locked first, as ``networks.delete`` explains, against addresses being allocated;
    its network before it, in the order port creation takes them (port, then address),
    since the network's revision moves too.
    """
    db_api.lock(session, m.Network, subnet.network_id)
    db_api.lock(session, m.Subnet, subnet.id)
    ports = db_api.ports_on(session, subnet_id=subnet.id)
    if any(not networks.is_service_owned(p) for p in ports):
        raise net_exc.SubnetInUse(id=subnet.id)
    for port in ports:
        session.delete(port)
    session.flush()
    session.delete(subnet)
    db_api.bump_revision(session.get(m.Network, subnet.network_id))
