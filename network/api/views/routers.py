"""Router rows as the API shows them."""
from network.api.views.common import standard


def gateway(router):
    port = router.gw_port
    if port is None:
        return None
    return {'network_id': port.network_id, 'enable_snat': router.enable_snat,
            'external_fixed_ips': [{'subnet_id': a.subnet_id, 'ip_address': a.ip_address}
                                   for a in port.fixed_ips]}


def render(router, show_admin_only):
    """:param show_admin_only: include ``distributed`` and ``ha`` (always false)."""
    body = standard(router)
    body.update({
        'status': router.status,
        'admin_state_up': router.admin_state_up,
        'external_gateway_info': gateway(router),
        'routes': list(router.routes),
    })
    if show_admin_only:
        body.update({'distributed': False, 'ha': False})
    return body
