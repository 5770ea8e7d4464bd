"""Bodies of ``POST``/``PUT /v2.0/ports``."""
from network.api.schemas.common import BOOLEAN, IP_ADDRESS, STANDARD, UUID
from network.api.support import enveloped

_FIXED_IPS = {'type': ['array', 'null'], 'items': {
    'type': 'object', 'properties': {'subnet_id': UUID, 'ip_address': IP_ADDRESS},
    'additionalProperties': False}}
_PAIRS = {'type': ['array', 'null'], 'items': {
    'type': 'object', 'properties': {'ip_address': {'type': 'string', 'maxLength': 64},
                                     'mac_address': {'type': ['string', 'null'],
                                                     'maxLength': 32}},
    'required': ['ip_address'], 'additionalProperties': False}}
_STRING = {'type': ['string', 'null'], 'maxLength': 255}

_UPDATABLE = {
    'name': STANDARD['name'],
    'description': STANDARD['description'],
    'admin_state_up': BOOLEAN,
    'device_id': _STRING,
    'device_owner': _STRING,
    'fixed_ips': _FIXED_IPS,
    'security_groups': {'type': ['array', 'null'], 'items': UUID},
    'port_security_enabled': BOOLEAN,
    'allowed_address_pairs': _PAIRS,
    'binding:host_id': _STRING,
    'binding:profile': {'type': ['object', 'null']},
    'binding:vnic_type': {'enum': ['normal', None]},
}

create = enveloped('port', {
    **_UPDATABLE, **STANDARD,
    'network_id': UUID,
    'mac_address': {'type': ['string', 'null'], 'maxLength': 32},
}, required=('network_id',))

update = enveloped('port', _UPDATABLE)
