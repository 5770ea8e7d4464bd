"""Options of the network service (``/etc/stratus/network.conf``).

One file serves the API and the conductor (and, later, the agents of a
host); each process reads the groups it needs.
"""
from oslo_config import cfg

from common import auth
from common import config as common_config
from common import rpc

SERVICE = 'network'
DEFAULT_PORT = 9696

network_opts = [
    cfg.IntOpt('agent_down_time', default=75, min=1,
               help='Seconds without a state report after which an agent is '
                    'shown as not alive (Neutron\'s default).\n\n'
                    'Related options: [DEFAULT] report_interval.'),
    cfg.StrOpt('base_mac', default='fa:16:3e:00:00:00',
               help='MAC addresses of ports start with the first three bytes of '
                    'this one; the last three are random.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of networks that give no hint, as Neutron '
                    'names it.'),
    cfg.IntOpt('vni_min', default=1, min=1, max=16777215,
               help='Smallest VXLAN id handed out to a network that names none.\n\n'
                    'Related options: vni_max.'),
    cfg.IntOpt('vni_max', default=16777215, min=1, max=16777215,
               help='Largest VXLAN id handed out to a network that names none.'),
    cfg.StrOpt('default_network_type', default='vxlan',
               choices=['vxlan', 'flat', 'local'],
               help='Type of the networks projects create (they may not choose).'),
    cfg.IntOpt('global_physnet_mtu', default=1500, min=68,
               help='MTU of the physical networks; VXLAN networks get 50 bytes less.'),
    cfg.IntOpt('state_push_interval', default=30, min=1,
               help='Seconds between the conductor\'s periodic pushes of every host\'s '
                    'state to its network agent, besides the pushes that follow each '
                    'API change (which come within a second).  The periodic push also '
                    'moves the networks and routers of agents that died to alive ones.\n\n'
                    'Possible values: a number of seconds, 1 or more.\n\n'
                    'Related options: agent_down_time.'),
    cfg.IntOpt('pagination_max_limit', default=1000, min=1,
               help='Largest page a list request may ask for with "limit".'),
]

quota_opts = [
    cfg.IntOpt('quota_network', default=100, min=-1, help='Networks per project; -1: no limit.'),
    cfg.IntOpt('quota_subnet', default=100, min=-1, help='Subnets per project; -1: no limit.'),
    cfg.IntOpt('quota_port', default=500, min=-1, help='Ports per project; -1: no limit.'),
    cfg.IntOpt('quota_router', default=10, min=-1, help='Routers per project; -1: no limit.'),
    cfg.IntOpt('quota_floatingip', default=50, min=-1,
               help='Floating IPs per project; -1: no limit.'),
    cfg.IntOpt('quota_security_group', default=10, min=-1,
               help='Security groups per project; -1: no limit.'),
    cfg.IntOpt('quota_security_group_rule', default=100, min=-1,
               help='Security group rules per project; -1: no limit.'),
]


def register_opts(conf, *, database=True):
    """:param database: False in an agent, which has no database."""
    common_config.register_common_opts(conf, database=database)
    rpc.register_opts(conf)
    auth.register_opts(conf)
    conf.register_opts(network_opts)
    conf.register_opts(quota_opts, group='quotas')


def list_opts():
    return [('DEFAULT', network_opts), ('quotas', quota_opts)]
