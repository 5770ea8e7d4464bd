"""Options of ``stratus-network-agent`` (in network.conf, read by the agent only).

Names follow Neutron's Linux bridge, DHCP and metadata agents where they
exist (``local_ip``, ``bridge_mappings``, ``nova_metadata_host``,
``metadata_proxy_shared_secret``), so an operator's habits carry over.
"""
from oslo_config import cfg

AGENT_GROUP = 'agent'
METADATA_GROUP = 'metadata'

agent_opts = [
    cfg.HostAddressOpt('local_ip', default='127.0.0.1',
                       help='Address of this host that other hosts reach its VXLAN '
                            'tunnels on (the tunnel endpoint).'),
    cfg.DictOpt('bridge_mappings', default={},
                help='physical network:host bridge pairs for flat networks, e.g. '
                     'public:br-ex.  The bridge must exist (the deployment makes it).'),
    cfg.StrOpt('availability_zone', default='nova',
               help='Availability zone of this host\'s agents, as Neutron names it.'),
    cfg.PortOpt('vxlan_port', default=4789, help='UDP port of the VXLAN tunnels.'),
    cfg.StrOpt('state_dir', default='$state_path/network',
               help='Where the agent keeps its files (dnsmasq hosts, pid files).'),
    cfg.IntOpt('resync_interval', default=30, min=1,
               help='Seconds between full re-syncs from the conductor, besides the '
                    'pushes that follow every API change.'),
    cfg.FloatOpt('polling_interval', default=1.0, min=0.1,
                 help='Seconds between looks for tap devices the compute agent '
                      'created or removed.'),
    cfg.IntOpt('dhcp_lease_duration', default=86400, min=-1,
               help='Lifetime in seconds of the DHCP leases dnsmasq hands out; -1 '
                    'means infinite.  Guests renew at half of it, so a short one '
                    'makes changes of routes or DNS servers reach them sooner.'),
]

metadata_opts = [
    cfg.HostAddressOpt('nova_metadata_host', default='127.0.0.1',
                       help='Address of the compute metadata API that guests\' '
                            'requests to 169.254.169.254 are forwarded to.'),
    cfg.PortOpt('nova_metadata_port', default=8775, help='Port of the compute metadata API.'),
    cfg.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
               help='Secret shared with the compute metadata API, which checks the '
                    'signature of the instance id the proxy sends.'),
]


def register_opts(conf):
    conf.register_opts(agent_opts, group=AGENT_GROUP)
    conf.register_opts(metadata_opts, group=METADATA_GROUP)


def list_opts():
    return [(AGENT_GROUP, agent_opts), (METADATA_GROUP, metadata_opts)]
