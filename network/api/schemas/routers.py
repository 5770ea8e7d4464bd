"""Bodies of the router requests: create, update, add/remove an interface."""
from network.api.schemas.common import BOOLEAN, IP_ADDRESS, STANDARD, UUID
from network.api.support import enveloped

_FIXED_IPS = {'type': 'array', 'items': {
    'type': 'object', 'properties': {'subnet_id': UUID, 'ip_address': IP_ADDRESS},
    'additionalProperties': False}}
# ``{}`` or null clears the gateway (``router unset --external-gateway`` sends ``{}``).
_GATEWAY = {'type': ['object', 'null'], 'properties': {
    'network_id': UUID, 'enable_snat': BOOLEAN, 'external_fixed_ips': _FIXED_IPS},
    'additionalProperties': False}
_ROUTES = {'type': ['array', 'null'], 'items': {
    'type': 'object', 'properties': {'destination': {'type': 'string', 'maxLength': 64},
                                     'nexthop': IP_ADDRESS},
    'required': ['destination', 'nexthop'], 'additionalProperties': False}}

create = enveloped('router', {
    **STANDARD,
    'admin_state_up': BOOLEAN,
    'external_gateway_info': _GATEWAY,
    'distributed': BOOLEAN,
    'ha': BOOLEAN,
})

update = enveloped('router', {
    'name': STANDARD['name'],
    'description': STANDARD['description'],
    'admin_state_up': BOOLEAN,
    'external_gateway_info': _GATEWAY,
    'routes': _ROUTES,
    'distributed': BOOLEAN,
    'ha': BOOLEAN,
})

# Not enveloped: ``PUT /v2.0/routers/{id}/add_router_interface {"subnet_id": ...}``.
interface = {'type': 'object', 'properties': {'subnet_id': UUID, 'port_id': UUID},
             'additionalProperties': False}
