"""Floating IP rows as the API shows them (with ``port_details``, fip-port-details)."""
from network.api.views.common import standard


def _port_details(port):
    if port is None:
        return None
    return {'name': port.name, 'network_id': port.network_id,
            'mac_address': port.mac_address, 'admin_state_up': port.admin_state_up,
            'status': port.status, 'device_id': port.device_id,
            'device_owner': port.device_owner}


def render(fip):
    body = standard(fip)
    del body['name']
    body.update({
        'floating_ip_address': fip.floating_ip_address,
        'floating_network_id': fip.floating_network_id,
        'router_id': fip.router_id,
        'port_id': fip.fixed_port_id,
        'fixed_ip_address': fip.fixed_ip_address,
        'status': fip.status,
        'port_details': _port_details(fip.fixed_port),
    })
    return body
