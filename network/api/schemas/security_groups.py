"""Bodies of the security group and security group rule requests."""
from network.api.schemas.common import NULLABLE_UUID, STANDARD, UUID
from network.api.support import enveloped

create_group = enveloped('security_group', {**STANDARD, 'stateful': {'enum': [True]}})
update_group = enveloped('security_group', {'name': STANDARD['name'],
                                            'description': STANDARD['description']})

_PORT = {'type': ['integer', 'null']}
create_rule = enveloped('security_group_rule', {
    **STANDARD,
    'security_group_id': UUID,
    'direction': {'enum': ['ingress', 'egress']},
    'ethertype': {'enum': ['IPv4', 'IPv6', None]},
    'protocol': {'type': ['string', 'integer', 'null'], 'maxLength': 40},
    'port_range_min': _PORT,
    'port_range_max': _PORT,
    'remote_ip_prefix': {'type': ['string', 'null'], 'maxLength': 64},
    'remote_group_id': NULLABLE_UUID,
    'remote_address_group_id': {'type': 'null'},
}, required=('security_group_id', 'direction'))
