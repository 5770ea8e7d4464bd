"""Bodies of ``POST``/``PUT /v2.0/subnets``."""
from network.api.schemas.common import BOOLEAN, IP_ADDRESS, STANDARD, UUID
from network.api.support import enveloped

_POOLS = {'type': 'array', 'items': {
    'type': 'object', 'properties': {'start': IP_ADDRESS, 'end': IP_ADDRESS},
    'required': ['start', 'end'], 'additionalProperties': False}}
_NAMESERVERS = {'type': ['array', 'null'], 'items': IP_ADDRESS}
_ROUTES = {'type': ['array', 'null'], 'items': {
    'type': 'object', 'properties': {'destination': {'type': 'string', 'maxLength': 64},
                                     'nexthop': IP_ADDRESS},
    'required': ['destination', 'nexthop'], 'additionalProperties': False}}
_GATEWAY = {'type': ['string', 'null'], 'maxLength': 64}
_MODE = {'enum': ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless', None]}

create = enveloped('subnet', {
    **STANDARD,
    'network_id': UUID,
    'ip_version': {'enum': [4, 6]},
    'cidr': {'type': ['string', 'null'], 'maxLength': 64},
    'gateway_ip': _GATEWAY,
    'enable_dhcp': BOOLEAN,
    'allocation_pools': _POOLS,
    'dns_nameservers': _NAMESERVERS,
    'host_routes': _ROUTES,
    'ipv6_ra_mode': _MODE,
    'ipv6_address_mode': _MODE,
    'subnetpool_id': {'type': 'null'},
    'service_types': {'type': 'array', 'maxItems': 0},
}, required=('network_id',))

update = enveloped('subnet', {
    'name': STANDARD['name'],
    'description': STANDARD['description'],
    'gateway_ip': _GATEWAY,
    'enable_dhcp': BOOLEAN,
    'allocation_pools': _POOLS,
    'dns_nameservers': _NAMESERVERS,
    'host_routes': _ROUTES,
})
