"""Default policy of the network API (override in /etc/stratus/policy.yaml).

Neutron's defaults: a project's resources are changed by its members and
read by its readers; cloud administrators act on any project's.  Shared
networks are readable (and usable for ports) by every project,
``router:external`` networks are visible to all.  Provider attributes
(``provider:*``) and port binding details are for cloud administrators
(and other Stratus services, which bind ports), both to set and to see.
Agents and quotas of other projects are for cloud administrators.

Targets carry the resource's ``project_id`` and, for networks, ``shared``
and ``router:external`` as the strings ``True``/``False``; port targets carry
``network:project_id``, the project owning the port's network.
"""
from oslo_policy import policy

SCOPES = ['project']
ADMIN = 'rule:cloud_admin'
OWNER_READER = 'rule:cloud_reader or (role:reader and project_id:%(project_id)s)'
OWNER_MEMBER = 'rule:cloud_admin or (role:member and project_id:%(project_id)s)'
SHARED_READER = "(role:reader and 'True':%(shared)s)"
EXTERNAL_READER = "(role:reader and 'True':%(router:external)s)"
ADMIN_OR_SERVICE = 'rule:cloud_admin or rule:service_role or service_roles:service'

RESOURCES = ('network', 'subnet', 'port', 'security_group', 'security_group_rule', 'router',
             'floatingip')


def rule(name, check, description, method, path):
    """A documented rule ``network:<name>``; ``method`` may be ``GET|POST``."""
    return policy.DocumentedRuleDefault(
        name=f'network:{name}', check_str=check, description=description,
        operations=[{'method': mth, 'path': path} for mth in method.split('|')],
        scope_types=SCOPES)


def _crud(resource, read=OWNER_READER, write=OWNER_MEMBER):
    path = f'/v2.0/{resource.replace("_", "-")}s'
    return [
        rule(f'get_{resource}', read, f'Show or list {resource}s.', 'GET', path),
        rule(f'create_{resource}', write, f'Create a {resource}.', 'POST', path),
        rule(f'update_{resource}', write, f'Update a {resource}.', 'PUT', path + '/{id}'),
        rule(f'delete_{resource}', write, f'Delete a {resource}.', 'DELETE', path + '/{id}'),
    ]


_PROVIDER = ('provider:network_type', 'provider:physical_network',
             'provider:segmentation_id')
# Neutron's defaults: SNAT, chosen gateway addresses and router kinds are for admins.
_ROUTER_ADMIN_ONLY = ('external_gateway_info:enable_snat',
                      'external_gateway_info:external_fixed_ips', 'distributed', 'ha')
_BINDING = ('binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details')
# Port attributes that choose addresses or lift anti-spoofing: on a network shared by
# another project, only its owner may set them (Neutron's ``network_owner`` rules).
_NETWORK_OWNER_ONLY = ('fixed_ips:ip_address', 'port_security_enabled',
                       'allowed_address_pairs', 'device_owner')
NETWORK_OWNER = f'{ADMIN_OR_SERVICE} or project_id:%(network:project_id)s'

_RULES = [
    *_crud('network', read=f'{OWNER_READER} or {SHARED_READER} or {EXTERNAL_READER}'),
    rule('create_network:shared', ADMIN, 'Create a shared network.', 'POST', '/v2.0/networks'),
    rule('update_network:shared', ADMIN, 'Share or unshare a network.', 'PUT',
         '/v2.0/networks/{id}'),
    rule('create_network:router:external', ADMIN, 'Create an external network.', 'POST',
         '/v2.0/networks'),
    rule('update_network:router:external', ADMIN, 'Make a network external or not.', 'PUT',
         '/v2.0/networks/{id}'),
    *[rule(f'{action}_network:{attr}', ADMIN, f'{action.title()} {attr}.',
           'POST|GET' if action != 'get' else 'GET', '/v2.0/networks')
      for attr in _PROVIDER for action in ('create', 'get')],
    *_crud('subnet', read=f'{OWNER_READER} or {SHARED_READER}'),
    *_crud('port'),
    *[rule(f'{action}_port:{attr}', NETWORK_OWNER,
           f'{action.title()} a port with {attr} set (device_owner: to network:*) on a '
           'network of another project (a shared one).', method, '/v2.0/ports')
      for action, method, attrs in (('create', 'POST', ('mac_address', *_NETWORK_OWNER_ONLY)),
                                    ('update', 'PUT', _NETWORK_OWNER_ONLY))
      for attr in attrs],
    *[rule(f'{action}_port:{attr}', ADMIN_OR_SERVICE, f'{action.title()} {attr}.',
           'POST|PUT' if action != 'get' else 'GET', '/v2.0/ports')
      for attr in _BINDING for action in ('create', 'update', 'get')],
    *_crud('security_group'),
    *_crud('security_group_rule'),
    *_crud('router'),
    *[rule(f'{action}_router:{attr}', ADMIN, f'{action.title()} {attr} of a router.',
           'POST' if action == 'create' else 'PUT', '/v2.0/routers')
      for attr in _ROUTER_ADMIN_ONLY for action in ('create', 'update')],
    *[rule(f'get_router:{attr}', ADMIN, f'See {attr} of routers.', 'GET', '/v2.0/routers')
      for attr in ('distributed', 'ha')],
    rule('add_router_interface', OWNER_MEMBER, 'Attach a subnet or port to a router.', 'PUT',
         '/v2.0/routers/{id}/add_router_interface'),
    rule('remove_router_interface', OWNER_MEMBER, 'Detach a subnet or port from a router.',
         'PUT', '/v2.0/routers/{id}/remove_router_interface'),
    *_crud('floatingip'),
    rule('create_floatingip:floating_ip_address', ADMIN, 'Choose the address of a floating '
         'IP.', 'POST', '/v2.0/floatingips'),
    rule('get_quota', OWNER_READER, 'Show a project\'s quotas.', 'GET',
         '/v2.0/quotas/{project_id}'),
    rule('get_quotas', ADMIN, 'List every project\'s quotas.', 'GET', '/v2.0/quotas'),
    rule('update_quota', ADMIN, 'Set a project\'s quotas.', 'PUT', '/v2.0/quotas/{project_id}'),
    rule('delete_quota', ADMIN, 'Reset a project\'s quotas.', 'DELETE',
         '/v2.0/quotas/{project_id}'),
    rule('get_agent', ADMIN, 'Show or list agents.', 'GET', '/v2.0/agents'),
    rule('update_agent', ADMIN, 'Change an agent\'s admin state or description.', 'PUT',
         '/v2.0/agents/{id}'),
    rule('delete_agent', ADMIN, 'Delete an agent record.', 'DELETE', '/v2.0/agents/{id}'),
    rule('get_availability_zone', 'rule:cloud_reader or role:reader',
         'List availability zones.', 'GET', '/v2.0/availability_zones'),
    rule('get_network_ip_availability', ADMIN, 'Show address usage of networks.', 'GET',
         '/v2.0/network-ip-availabilities'),
    rule('get_extensions', 'rule:cloud_reader or role:reader', 'List API extensions.', 'GET',
         '/v2.0/extensions'),
]


def list_rules():
    return _RULES
