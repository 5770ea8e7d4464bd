"""Subnet rows as the API shows them."""
from network.api.views.common import standard


def render(subnet):
    body = standard(subnet)
    body.update({
        'network_id': subnet.network_id,
        'ip_version': subnet.ip_version,
        'cidr': subnet.cidr,
        'gateway_ip': subnet.gateway_ip,
        'enable_dhcp': subnet.enable_dhcp,
        'allocation_pools': list(subnet.allocation_pools),
        'dns_nameservers': list(subnet.dns_nameservers),
        'host_routes': list(subnet.host_routes),
        'ipv6_ra_mode': subnet.ipv6_ra_mode,
        'ipv6_address_mode': subnet.ipv6_address_mode,
        'subnetpool_id': None,
        'service_types': [],
    })
    return body
