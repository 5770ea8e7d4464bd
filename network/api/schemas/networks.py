"""Bodies of ``POST``/``PUT /v2.0/networks``."""
from network.api.schemas.common import BOOLEAN, STANDARD
from network.api.support import enveloped

_UPDATABLE = {
    'name': STANDARD['name'],
    'description': STANDARD['description'],
    'admin_state_up': BOOLEAN,
    'shared': BOOLEAN,
    'router:external': BOOLEAN,
    'port_security_enabled': BOOLEAN,
    'mtu': {'type': 'integer'},
}

create = enveloped('network', {
    **_UPDATABLE,
    **STANDARD,
    'provider:network_type': {'enum': ['vxlan', 'flat', 'local']},
    'provider:physical_network': {'type': ['string', 'null'], 'maxLength': 64},
    'provider:segmentation_id': {'type': ['integer', 'null']},
    'availability_zone_hints': {'type': 'array',
                                'items': {'type': 'string', 'maxLength': 255}},
})

update = enveloped('network', _UPDATABLE)
