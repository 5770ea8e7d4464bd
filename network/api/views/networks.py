"""Network rows as the API shows them."""
from network.api.views.common import standard

PROVIDER = ('provider:network_type', 'provider:physical_network', 'provider:segmentation_id')


def render(network, subnet_ids, show_provider):
    body = standard(network)
    body.update({
        'status': network.status,
        'admin_state_up': network.admin_state_up,
        'shared': network.shared,
        'router:external': network.external,
        'mtu': network.mtu,
        'port_security_enabled': network.port_security_enabled,
        'subnets': subnet_ids,
        'availability_zone_hints': list(network.availability_zone_hints or []),
        'availability_zones': [],
        'ipv4_address_scope': None,
        'ipv6_address_scope': None,
        'is_default': False,
    })
    if show_provider:
        body.update({'provider:network_type': network.network_type,
                     'provider:physical_network': network.physical_network,
                     'provider:segmentation_id': network.segmentation_id})
    return body
