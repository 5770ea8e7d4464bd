"""Security groups and rules as the API shows them."""
from network.api.views.common import standard, timestamp


def render_rule(rule):
    return {
        'id': rule.id,
        'project_id': rule.project_id,
        'tenant_id': rule.project_id,
        'security_group_id': rule.security_group_id,
        'direction': rule.direction,
        'ethertype': rule.ethertype,
        'protocol': rule.protocol,
        'port_range_min': rule.port_range_min,
        'port_range_max': rule.port_range_max,
        'remote_ip_prefix': rule.remote_ip_prefix,
        'remote_group_id': rule.remote_group_id,
        'remote_address_group_id': None,
        'normalized_cidr': rule.remote_ip_prefix,
        'description': rule.description,
        'created_at': timestamp(rule.created_at),
        'updated_at': timestamp(rule.updated_at),
        'revision_number': rule.revision_number,
    }


def render(group):
    body = standard(group)
    body.update({'stateful': group.stateful, 'shared': False,
                 'security_group_rules': [render_rule(r) for r in group.rules]})
    return body
