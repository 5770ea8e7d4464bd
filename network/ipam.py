"""IP address management: addresses of ports, never handed out twice.

The database decides: ``ip_allocations`` has the primary key (subnet,
address), and each address is inserted in a savepoint.  A concurrent
request that took the same address first makes the insert fail; this one
then tries another candidate.  Candidates are picked at random among the
first free addresses of the pools, so that concurrent requests rarely
collide at all.
"""
import ipaddress
import random

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from network import cidrs
from network import exceptions as net_exc
from network import subnets as subnet_rules
from network.db import api as db_api
from network.db import models as m

CANDIDATE_WINDOW = 32
MAX_ATTEMPTS = 64
ROUTER_OWNERS = ('network:router_interface', 'network:router_gateway',
                 'network:router_interface_distributed', 'network:ha_router_replicated_interface')


def free_candidates(pool_list, used, window=CANDIDATE_WINDOW):
    """Up to ``window`` addresses of ``pool_list`` not in ``used`` (strings), in order."""
    found = []
    for start, end in pool_list:
        address = start
        while address <= end:
            if str(address) not in used:
                found.append(address)
                if len(found) >= window:
                    return found
            address += 1
    return found


def _insert(session, port, subnet, address):
    """Insert one allocation; False when the address was already taken.

    :raises SubnetNotFound: when the subnet was deleted meanwhile (its foreign key).
    """
    try:
        with session.begin_nested():
            session.add(m.IPAllocation(subnet_id=subnet.id, ip_address=str(address),
                                       port_id=port.id, network_id=port.network_id))
        return True
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_entry(exc):
            raise net_exc.SubnetNotFound(id=subnet.id) from None
        return False


def allocate_any(session, port, subnet):
    """Give ``port`` a free address of ``subnet``'s pools; 409 when none is left."""
    pool_list = subnet_rules.pools_of(subnet)
    taken = set()
    for _ in range(MAX_ATTEMPTS):
        used = db_api.allocated_addresses(session, subnet.id) | taken
        candidates = free_candidates(pool_list, used)
        if not candidates:
            break
        address = random.choice(candidates)
        if _insert(session, port, subnet, address):
            return str(address)
        taken.add(str(address))
    raise net_exc.IpAddressGenerationFailure(network_id=subnet.network_id)


def allocate_specific(session, port, subnet, address):
    """Give ``port`` the chosen ``address`` of ``subnet``; 409 when it is in use."""
    cidr = ipaddress.ip_network(subnet.cidr)
    # Routers may hold the IPv6 subnet-router anycast address, as in Neutron.
    reserved = cidr.num_addresses > 2 and not cidrs.is_host_address(cidr, address) and \
        not (cidr.version == 6 and port.device_owner in ROUTER_OWNERS)
    if address not in cidr or reserved:
        raise net_exc.InvalidInput(detail=f'IP address {address} is not a valid IP for the '
                                          'specified subnet')
    if subnet.gateway_ip == str(address) and port.device_owner not in ROUTER_OWNERS:
        raise net_exc.IpAddressInUse(network_id=subnet.network_id, ip_address=str(address))
    if not _insert(session, port, subnet, address):
        raise net_exc.IpAddressInUse(network_id=subnet.network_id, ip_address=str(address))
    return str(address)


def eui64(subnet, mac):
    """The SLAAC address of ``mac`` in ``subnet`` (RFC 4291 modified EUI-64)."""
    octets = [int(x, 16) for x in mac.split(':')]
    octets[0] ^= 0x02
    interface = octets[:3] + [0xff, 0xfe] + octets[3:]
    network = ipaddress.ip_network(subnet.cidr)
    return network.network_address + int.from_bytes(bytes(interface), 'big')


def is_auto_address(subnet):
    return subnet.ip_version == 6 and \
        subnet.ipv6_address_mode in subnet_rules.AUTO_ADDRESS_MODES


def _subnets_of(session, network_id):
    return list(session.execute(sa.select(m.Subnet).where(m.Subnet.network_id == network_id)
                                .order_by(m.Subnet.created_at, m.Subnet.id)).scalars())


def allocate(session, port, requests):
    """Give ``port`` its addresses.

    :param requests: the port's ``fixed_ips`` (``[{"subnet_id"?, "ip_address"?}]``), or
        ``None`` for Neutron's default: one address of the first IPv4 subnet with
        room, one of the first stateful IPv6 subnet with room, and the SLAAC address
        of every auto-addressed IPv6 subnet.
    """
    network_subnets = _subnets_of(session, port.network_id)
    by_id = {s.id: s for s in network_subnets}
    if requests is None:
        _allocate_default(session, port, network_subnets)
        return
    asked = [cidrs.parse_address(r['ip_address']) for r in requests
             if r.get('ip_address') is not None]
    duplicate = next((a for i, a in enumerate(asked) if a in asked[:i]), None)
    if duplicate is not None:
        raise net_exc.InvalidInput(detail=f"Duplicate IP address '{duplicate}'")
    for request in requests:
        subnet_id, ip = request.get('subnet_id'), request.get('ip_address')
        address = cidrs.parse_address(ip) if ip is not None else None
        if subnet_id is not None:
            subnet = by_id.get(subnet_id)
            if subnet is None:
                raise net_exc.InvalidInput(detail=f'Failed to create port on network '
                                                  f'{port.network_id}, because fixed_ips '
                                                  f'included invalid subnet {subnet_id}')
        elif address is not None:
            subnet = next((s for s in network_subnets
                           if address in ipaddress.ip_network(s.cidr)), None)
            if subnet is None:
                raise net_exc.InvalidInput(detail=f'IP address {ip} is not a valid IP for '
                                                  'any subnet on the network')
        else:
            raise net_exc.InvalidInput(detail='Exactly one of subnet_id or ip_address must '
                                              'be given in fixed_ips, or both')
        if address is not None:
            allocate_specific(session, port, subnet, address)
        elif is_auto_address(subnet):
            allocate_specific(session, port, subnet, eui64(subnet, port.mac_address))
        else:
            allocate_any(session, port, subnet)


def _allocate_default(session, port, network_subnets):
    for version in (4, 6):
        stateful = [s for s in network_subnets
                    if s.ip_version == version and not is_auto_address(s)]
        for subnet in stateful:
            try:
                allocate_any(session, port, subnet)
                break
            except net_exc.IpAddressGenerationFailure:
                if subnet is stateful[-1]:
                    raise
    for subnet in network_subnets:
        if is_auto_address(subnet):
            allocate_specific(session, port, subnet, eui64(subnet, port.mac_address))


def release(session, port, keep=()):
    """Free ``port``'s addresses except the ``(subnet_id, ip_address)`` pairs in ``keep``."""
    for allocation in list(port.fixed_ips):
        if (allocation.subnet_id, allocation.ip_address) not in keep:
            port.fixed_ips.remove(allocation)
    session.flush()
