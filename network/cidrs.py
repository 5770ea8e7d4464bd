"""Validation and defaults of subnet addressing: CIDR, gateway, allocation pools, routes.

Pure functions over ``ipaddress`` objects, so that the rules are tested
without a database.  They raise Neutron's errors: 400 for malformed or
out-of-range values, 409 where Neutron answers a conflict (pools that
overlap each other or contain the gateway).
"""
import ipaddress

from common import exceptions
from network import exceptions as net_exc


class OverlappingAllocationPools(exceptions.Conflict):
    msg_fmt = 'Found overlapping allocation pools: %(pool_1)s %(pool_2)s for subnet %(cidr)s.'


class GatewayConflictWithAllocationPools(exceptions.Conflict):
    msg_fmt = 'Gateway ip %(ip_address)s conflicts with allocation pool %(pool)s.'


class OutOfBoundsAllocationPool(exceptions.BadRequest):
    msg_fmt = 'The allocation pool %(pool)s spans beyond the subnet cidr %(cidr)s.'


def parse_cidr(cidr, ip_version):
    """The network of ``cidr``; host bits set or the wrong version are refused (400)."""
    try:
        # An IPv6 zone ("fd00::%eth0/64") names an interface of this host: not a subnet.
        if '%' in cidr:
            raise ValueError(cidr)
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise net_exc.InvalidInput(detail=f"'{cidr}' is not a valid IP subnet") from None
    if str(network) != cidr and str(network) != _compressed(cidr):
        raise net_exc.InvalidInput(detail=f"'{cidr}' isn't a recommended CIDR, it should be "
                                          f"'{network}'")
    if network.version != ip_version:
        raise net_exc.InvalidInput(detail='Cidr and IP version are inconsistent (cidr '
                                          f'{cidr}, ip_version {ip_version})')
    if network.prefixlen == 0:
        raise net_exc.InvalidInput(detail=f'0 prefix length is not allowed: {cidr}')
    return network


def _compressed(cidr):
    address, _, prefix = cidr.partition('/')
    try:
        return f'{ipaddress.ip_address(address)}/{prefix}'
    except ValueError:
        return cidr


def parse_address(value, what='ip_address'):
    """``value`` as an address; 400 when it is not one, or carries an IPv6 zone.

    A zone (``fd00::5%eth0``) would make a second spelling of an address that
    the allocations table could not recognise as taken.
    """
    try:
        if '%' in value:
            raise ValueError(value)
        return ipaddress.ip_address(value)
    except ValueError:
        raise net_exc.InvalidInput(detail=f"'{value}' is not a valid IP address for "
                                          f"{what}") from None


def parse_network(value, what, strict=False):
    """``value`` as a network (a lone address is a /32 or /128); 400 when it is not one
    or carries an IPv6 zone, as ``parse_address`` explains."""
    try:
        if '%' in value:
            raise ValueError(value)
        return ipaddress.ip_network(value, strict=strict)
    except ValueError:
        raise net_exc.InvalidInput(detail=f"'{value}' is not a valid IP prefix for "
                                          f"{what}") from None


def host_range(network):
    """First and last address a host may have in ``network``."""
    if network.num_addresses <= 2:
        return network[0], network[-1]
    if network.version == 4:
        return network[1], network[-2]
    # IPv6 has no broadcast; the subnet-router anycast address (first) is kept free.
    return network[1], network[-1]


def default_gateway(network):
    first, last = host_range(network)
    return first if first <= last else None


def gateway(network, value, given):
    """The gateway: default first host when not given, ``None`` for ``null``."""
    if not given:
        return default_gateway(network)
    if value is None:
        return None
    address = parse_address(value, 'gateway_ip')
    if address.version != network.version:
        raise net_exc.InvalidInput(detail=f'Gateway IP version inconsistent with subnet '
                                          f'IP version: {value}')
    if address not in network or (network.num_addresses > 2 and
                                  not is_host_address(network, address)):
        raise net_exc.InvalidInput(detail=f'Gateway is not valid on subnet: {value} is '
                                          f'outside {network} or reserved')
    return address


def is_host_address(network, address):
    """Whether ``address`` of ``network`` may be a host's: not the network address
    (for IPv6 the subnet-router anycast address), not the IPv4 broadcast address."""
    if address == network.network_address:
        return False
    return network.version == 6 or address != network.broadcast_address


def check_dhcp_cidr(network):
    """400 unless DHCP can serve ``network`` (Neutron's rules for ``enable_dhcp``)."""
    too_small = network.prefixlen > (30 if network.version == 4 else 126)
    for refused, why in ((too_small, 'Subnet has a prefix length that is incompatible '
                                     'with DHCP service enabled'),
                         (network.is_multicast, 'Multicast IP subnet is not supported '
                                                'if enable_dhcp is True'),
                         (network.is_loopback, 'Loopback IP subnet is not supported if '
                                               'enable_dhcp is True'),
                         (network.is_link_local, 'Link-local IP subnet is not supported '
                                                 'if enable_dhcp is True')):
        if refused:
            raise net_exc.InvalidInput(detail=why)


def check_auto_address_cidr(network):
    """400 unless ``network`` is a /64: SLAAC addresses are EUI-64, 64 bits of host."""
    if network.prefixlen != 64:
        raise net_exc.InvalidInput(detail=f'Invalid CIDR {network} for IPv6 address mode. '
                                          'OpenStack uses the EUI-64 address format, which '
                                          'requires the prefix to be /64')


def default_pools(network, gateway_ip):
    """The host range of ``network`` minus the gateway, as ``[(start, end)]``."""
    first, last = host_range(network)
    if first > last:
        return []
    if gateway_ip is None or not first <= gateway_ip <= last:
        return [(first, last)]
    pools = []
    if gateway_ip > first:
        pools.append((first, gateway_ip - 1))
    if gateway_ip < last:
        pools.append((gateway_ip + 1, last))
    return pools


def pools(network, gateway_ip, given):
    """Validate ``given`` pools (``[{"start", "end"}]``); sorted ``[(start, end)]``."""
    result = []
    for pool in given:
        start = parse_address(pool['start'], 'allocation_pools')
        end = parse_address(pool['end'], 'allocation_pools')
        text = f"{pool['start']}-{pool['end']}"
        if start.version != network.version or end.version != network.version:
            raise net_exc.InvalidInput(detail=f'Invalid allocation pool {text}: IP version '
                                              'does not match the subnet')
        if start > end:
            raise net_exc.InvalidInput(detail=f'Invalid allocation pool {text}: start after '
                                              'end')
        first, last = host_range(network)
        if start < first or end > last:
            raise OutOfBoundsAllocationPool(pool=text, cidr=str(network))
        result.append((start, end))
    result.sort()
    for (s1, e1), (s2, e2) in zip(result, result[1:]):
        if s2 <= e1:
            raise OverlappingAllocationPools(pool_1=f'{s1}-{e1}', pool_2=f'{s2}-{e2}',
                                             cidr=str(network))
    if gateway_ip is not None:
        for start, end in result:
            if start <= gateway_ip <= end:
                raise GatewayConflictWithAllocationPools(ip_address=str(gateway_ip),
                                                         pool=f'{start}-{end}')
    return result


def pool_size(pool_list):
    return sum(int(end) - int(start) + 1 for start, end in pool_list)


def overlapping(network, others):
    """The first of ``others`` (CIDR strings) that overlaps ``network``, or None."""
    for other in others:
        if ipaddress.ip_network(other).overlaps(network):
            return other
    return None


def nameservers(values):
    """``values`` checked: addresses, no duplicates."""
    seen = []
    for value in values:
        parse_address(value, 'dns_nameservers')
        if value in seen:
            raise net_exc.InvalidInput(detail=f"Duplicate nameserver '{value}'")
        seen.append(value)
    return seen


def host_routes(values):
    routes = []
    for route in values:
        destination = parse_network(route['destination'], 'host_routes', strict=True)
        nexthop = parse_address(route['nexthop'], 'host_routes')
        if destination.version != nexthop.version:
            raise net_exc.InvalidInput(detail=f'Host route {route} mixes IP versions')
        entry = {'destination': str(destination), 'nexthop': str(nexthop)}
        if entry in routes:
            raise net_exc.InvalidInput(detail=f'Duplicate hostroute {entry}')
        routes.append(entry)
    return routes
