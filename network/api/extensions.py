"""``/v2.0/extensions``: the Neutron extensions this API really implements.

Clients (openstacksdk, OSC, Tempest) switch features on these aliases, so
an alias is listed only once its behaviour exists.
"""
import flask

from network import exceptions as net_exc
from network.api import support

bp = flask.Blueprint('extensions', __name__, url_prefix='/v2.0/extensions')

UPDATED = '2026-11-24T00:00:00-00:00'

# (alias, name, description)
EXTENSIONS = (
    ('agent', 'agent', 'The agent management extension.'),
    ('allowed-address-pairs', 'Allowed Address Pairs',
     'Provides allowed address pairs'),
    ('availability_zone', 'Availability Zone', 'The availability zone extension.'),
    ('binding', 'Port Binding', 'Expose port bindings of a virtual port to external '
                                'application'),
    ('dhcp_agent_scheduler', 'DHCP Agent Scheduler', 'Schedule networks among dhcp agents'),
    ('ext-gw-mode', 'Neutron L3 Configurable external gateway mode',
     'Extension of the router abstraction for specifying whether SNAT should occur on the '
     'external gateway'),
    ('external-net', 'Neutron external network', 'Adds external network attribute to '
                                                 'network resource.'),
    ('extraroute', 'Neutron Extra Route', 'Extra routes configuration for L3 router'),
    ('fip-port-details', 'Floating IP Port Details Extension',
     'Add port_details attribute to Floating IP resource'),
    ('l3_agent_scheduler', 'L3 Agent Scheduler', 'Schedule routers among l3 agents'),
    ('net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.'),
    ('network_availability_zone', 'Network Availability Zone',
     'Availability zone support for network.'),
    ('network-ip-availability', 'Network IP Availability',
     'Provides IP availability data for each network and subnet.'),
    ('port-security', 'Port Security', 'Provides port security'),
    ('project-id', 'project_id field enabled', 'Extension that indicates that project_id '
                                               'field is enabled.'),
    ('provider', 'Provider Network', 'Expose mapping of virtual networks to physical '
                                     'networks'),
    ('quotas', 'Quota management support', 'Expose functions for quotas management per '
                                           'project'),
    ('quota_details', 'Quota details management support',
     'Expose functions for quotas usage statistics per project'),
    ('quota-check-limit', 'Quota engine limit check',
     'Refuses, when asked, quota limits below the current usage'),
    ('router', 'Neutron L3 Router', 'Router abstraction for basic L3 forwarding between L2 '
                                    'Neutron networks and access to external networks via a '
                                    'NAT gateway.'),
    ('security-group', 'security-group', 'The security groups extension.'),
    ('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.'),
    ('pagination', 'Pagination support', 'Extension that indicates that pagination is '
                                         'enabled.'),
    ('standard-attr-description', 'standard-attr-description',
     'Extension to add descriptions to standard attributes'),
    ('standard-attr-revisions', 'Resource revision numbers',
     'This extension will display the revision number of neutron resources.'),
    ('standard-attr-timestamp', 'Resource timestamps',
     'Adds created_at and updated_at fields to all Neutron resources that have '
     'Neutron standard attributes.'),
)


def _entry(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description,
            'updated': UPDATED, 'links': []}


def _all():
    return {alias: _entry(alias, name, description)
            for alias, name, description in EXTENSIONS}


@bp.get('')
def list_extensions():
    support.authorize('get_extensions')
    return flask.jsonify(extensions=list(_all().values()))


@bp.get('/<alias>')
def get_extension(alias):
    support.authorize('get_extensions')
    found = _all().get(alias)
    if found is None:
        raise net_exc.ExtensionNotFound(alias=alias)
    return flask.jsonify(extension=found)
