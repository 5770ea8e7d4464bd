"""Port rows as the API shows them."""
from network.api.views.common import standard


def render(port, show_binding):
    body = standard(port)
    body.update({
        'network_id': port.network_id,
        'mac_address': port.mac_address,
        'admin_state_up': port.admin_state_up,
        'status': port.status,
        'device_id': port.device_id,
        'device_owner': port.device_owner,
        'fixed_ips': [{'subnet_id': a.subnet_id, 'ip_address': a.ip_address}
                      for a in port.fixed_ips],
        'allowed_address_pairs': [{'mac_address': port.mac_address, **pair}
                                  for pair in port.allowed_address_pairs],
        'extra_dhcp_opts': [],
        'security_groups': sorted(b.security_group_id for b in port.security_group_bindings),
        'port_security_enabled': port.port_security_enabled,
        'binding:vnic_type': port.binding_vnic_type,
    })
    if show_binding:
        bound = bool(port.binding_host_id)
        body.update({
            'binding:host_id': port.binding_host_id,
            'binding:profile': dict(port.binding_profile or {}),
            'binding:vif_type': 'bridge' if bound else 'unbound',
            'binding:vif_details': {'port_filter': True, 'connectivity': 'l2'}
            if bound else {},
        })
    return body
