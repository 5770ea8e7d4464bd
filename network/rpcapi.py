"""The client side of the network RPC APIs: the only way in over RabbitMQ.

``ConductorAPI`` (topic ``network.conductor``, served by every network
conductor; a message goes to one of them) is used by the network agents of
the hosts, which have no database (they report themselves and their ports
through it and ask it for their host's state), and by the network API,
which tells it that resources changed.  ``AgentAPI`` (topic
``network.agent``, server ``<host>``) is used by the conductor only: it
pushes each host's desired state (a ``HostState``) to that host's agent.
Arguments are plain JSON dicts, lists and strings.

Version history of the conductor API:
    1.0 - report_state
    1.1 - get_host_state, update_ports_status, resources_changed
Version history of the agent API:
    1.0 - sync_state
"""
import datetime
from typing import TypedDict

import oslo_messaging as messaging

from common import rpc

CONDUCTOR_TOPIC = 'network.conductor'
CONDUCTOR_VERSION = '1.1'
AGENT_TOPIC = 'network.agent'
AGENT_VERSION = '1.0'

# What a ``call`` raises when nobody answered in time.
Timeout = messaging.MessagingTimeout

# What ``report_state`` answers (Neutron's agent statuses): the agent was
# never seen, was alive, or comes back after ``agent_down_time`` of silence
# (an agent then resynchronises everything it serves).
AGENT_NEW = 'new'
AGENT_ALIVE = 'alive'
AGENT_REVIVED = 'revived'

# Neutron's agent types; one stratus-network-agent process reports all four.
L2_AGENT = 'Linux bridge agent'
DHCP_AGENT = 'DHCP agent'
L3_AGENT = 'L3 agent'
METADATA_AGENT = 'Metadata agent'


class AgentState(TypedDict):
    """What an agent reports of itself (Neutron's ``agent_state``)."""
    agent_type: str  # L2_AGENT, DHCP_AGENT, L3_AGENT or METADATA_AGENT
    binary: str  # 'stratus-network-agent'
    topic: str  # the RPC topic the agent serves
    host: str
    availability_zone: str | None
    configurations: dict  # free-form, shown as the agent's "configurations"
    start_flag: bool  # True in the first report after the agent started


# --- the host state: what the agent of one host makes Linux match ----------------------

class SubnetState(TypedDict):
    id: str
    cidr: str
    ip_version: int
    gateway_ip: str | None
    enable_dhcp: bool
    dns_nameservers: list  # [str]
    host_routes: list  # [{"destination", "nexthop"}]
    allocation_pools: list  # [{"start", "end"}]


class NetworkState(TypedDict):
    id: str
    project_id: str
    name: str
    network_type: str  # 'vxlan', 'flat' or 'local'
    segmentation_id: int | None
    physical_network: str | None
    mtu: int
    external: bool
    admin_state_up: bool
    bridge: str  # 'brq' + id[:11], or the host bridge a flat network's physnet maps to
    vxlan_peers: list  # tunnel IPs of the other hosts' alive L2 agents (vxlan only)
    subnets: list  # [SubnetState]


class PortState(TypedDict):
    """An instance port (``compute:*``) bound to the host."""
    id: str
    network_id: str
    project_id: str
    mac_address: str
    device_id: str
    device_owner: str
    admin_state_up: bool
    port_security_enabled: bool
    fixed_ips: list  # [{"subnet_id", "ip_address"}]
    allowed_address_pairs: list  # [{"ip_address", "mac_address"?}]
    security_group_ids: list  # [str]
    tap: str  # 'tap' + id[:11]
    bridge: str  # the network's bridge


class SecurityGroupState(TypedDict):
    id: str
    project_id: str
    stateful: bool
    # [{"id", "direction", "ethertype", "protocol", "port_range_min",
    #   "port_range_max", "remote_ip_prefix", "remote_group_id"}]
    rules: list
    # {"IPv4": [...], "IPv6": [...]}: fixed and address-pair IPs of every port of
    # the group on any host, what remote_group_id rules of other groups match.
    member_ips: dict


class DhcpState(TypedDict):
    network_id: str
    namespace: str  # 'qdhcp-<network id>'
    bridge: str
    mtu: int
    port: dict  # the DHCP port: {"id", "mac_address", "fixed_ips": [{"subnet_id", "ip_address"}]}
    subnets: list  # [SubnetState] with enable_dhcp
    # [{"port_id", "mac_address", "ip_address", "subnet_id", "hostname"}]: every
    # port of the network with an address on a DHCP subnet, on any host.
    hosts: list


class RouterState(TypedDict):
    id: str
    project_id: str
    admin_state_up: bool
    namespace: str  # 'qrouter-<router id>'
    enable_snat: bool
    # None, or {"port_id", "mac_address", "network_id", "bridge", "mtu",
    #           "fixed_ips": [{"subnet_id", "ip_address", "prefixlen"}], "gateway_ips": [str]}
    gateway: dict | None
    # [{"port_id", "mac_address", "network_id", "bridge", "mtu",
    #   "fixed_ips": [{"subnet_id", "ip_address", "prefixlen", "cidr"}]}]
    interfaces: list
    routes: list  # [{"destination", "nexthop"}]
    floating_ips: list  # [{"id", "floating_ip_address", "fixed_ip_address", "port_id"}]
    # {fixed ip: {"instance_id", "project_id", "port_id"}} of the instance ports
    # on the router's internal subnets (the metadata proxy's lookup).
    instances: dict


class HostState(TypedDict):
    """Everything the agent of ``host`` must make true there, from the conductor.

    Only what is on that host: its instance ports and their networks, groups
    and DHCP servers and routers scheduled there.  ``metadata`` is added by
    the agent from its own configuration, never sent.
    """
    host: str
    networks: dict  # {network id: NetworkState}
    ports: dict  # {port id: PortState}
    security_groups: dict  # {group id: SecurityGroupState}
    dhcp: dict  # {network id: DhcpState}
    routers: dict  # {router id: RouterState}


class ConductorAPI:

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, CONDUCTOR_TOPIC, CONDUCTOR_VERSION)

    # --- from the agents ------------------------------------------------------------

    def report_state(self, ctx, agent_state, use_call=False):
        """Record the agent alive now, with ``agent_state`` (an ``AgentState``).

        :param use_call: wait for the answer (an agent does on its first
            report, to learn whether it must resynchronise); otherwise cast.
        :returns: with ``use_call``, ``AGENT_NEW``, ``AGENT_ALIVE`` or
            ``AGENT_REVIVED``; else None.
        :raises Timeout: with ``use_call``, no conductor answered in time.
        """
        sent_at = datetime.datetime.now(datetime.timezone.utc).isoformat()
        cctxt = self._client.prepare(version='1.0')
        if use_call:
            return cctxt.call(ctx, 'report_state', agent_state=dict(agent_state), time=sent_at)
        cctxt.cast(ctx, 'report_state', agent_state=dict(agent_state), time=sent_at)
        return None

    def get_host_state(self, ctx, host):
        """The ``HostState`` of ``host`` now (an agent asks at start and to resync).

        :raises Timeout: no conductor answered in time.
        """
        return self._client.prepare(version='1.1').call(ctx, 'get_host_state', host=host)

    def update_ports_status(self, ctx, host, active, down):
        """Record which ports the agent of ``host`` has wired (``active``) and which
        it no longer has (``down``), as lists of port ids.  Ports bound to another
        host are left alone; an instance port turning ACTIVE is announced to compute
        (``network-vif-plugged``).

        :raises Timeout: no conductor answered in time.
        """
        self._client.prepare(version='1.1').call(ctx, 'update_ports_status', host=host,
                                                 active=list(active), down=list(down))

    # --- from the API ---------------------------------------------------------------

    def resources_changed(self, ctx):
        """Tell a conductor that networks, ports, routers... changed: it pushes the
        new host states to the agents shortly (bursts are coalesced).

        Sent without retrying: a broker that is down fails it at once, and the
        next periodic push carries the change anyway.
        """
        self._client.prepare(version='1.1', retry=0).cast(ctx, 'resources_changed')


class AgentAPI:
    """The conductor's way to the agent of each host."""

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, AGENT_TOPIC, AGENT_VERSION)

    def sync_state(self, ctx, host, host_state):
        """Have the agent of ``host`` make it match ``host_state`` (a ``HostState``)."""
        self._client.prepare(server=host, version='1.0', retry=0).cast(
            ctx, 'sync_state', host_state=host_state)
