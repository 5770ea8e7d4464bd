"""Bodies of ``POST``/``PUT /v2.0/floatingips`` (floating IPs have no name in Neutron)."""
from network.api.schemas.common import (DESCRIPTION, IP_ADDRESS, NULLABLE_UUID, OWNERSHIP,
                                        UUID)
from network.api.support import enveloped

_NULLABLE_IP = {'type': ['string', 'null'], 'maxLength': 64}

create = enveloped('floatingip', {
    **OWNERSHIP,
    'description': DESCRIPTION,
    'floating_network_id': UUID,
    'floating_ip_address': IP_ADDRESS,
    'subnet_id': NULLABLE_UUID,
    'port_id': NULLABLE_UUID,
    'fixed_ip_address': _NULLABLE_IP,
}, required=('floating_network_id',))

update = enveloped('floatingip', {
    'description': DESCRIPTION,
    'port_id': NULLABLE_UUID,
    'fixed_ip_address': _NULLABLE_IP,
})
