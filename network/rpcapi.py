"""The client side of the network RPC API: the only way in over RabbitMQ.

``ConductorAPI`` (topic ``network.conductor``, served by every network
conductor; a message goes to one of them) is used by the network agents of
the hosts, which have no database: they report themselves through it.
Arguments are plain JSON dicts and strings.

Version history of the conductor API:
    1.0 - report_state
"""
import datetime
from typing import TypedDict

import oslo_messaging as messaging

from common import rpc

CONDUCTOR_TOPIC = 'network.conductor'
CONDUCTOR_VERSION = '1.0'

# What a ``call`` raises when nobody answered in time.
Timeout = messaging.MessagingTimeout

# What ``report_state`` answers (Neutron's agent statuses): the agent was
# never seen, was alive, or comes back after ``agent_down_time`` of silence
# (an agent then resynchronises everything it serves).
AGENT_NEW = 'new'
AGENT_ALIVE = 'alive'
AGENT_REVIVED = 'revived'


class AgentState(TypedDict):
    """What an agent reports of itself (Neutron's ``agent_state``)."""
    agent_type: str  # 'DHCP agent', 'Linux bridge agent', 'L3 agent', 'Metadata agent'
    binary: str  # 'stratus-network-agent'
    topic: str  # the RPC topic the agent serves
    host: str
    availability_zone: str | None
    configurations: dict  # free-form, shown as the agent's "configurations"
    start_flag: bool  # True in the first report after the agent started


class ConductorAPI:

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, CONDUCTOR_TOPIC, CONDUCTOR_VERSION)

    def report_state(self, ctx, agent_state, use_call=False):
        """Record the agent alive now, with ``agent_state`` (an ``AgentState``).

        :param use_call: wait for the answer (an agent does on its first
            report, to learn whether it must resynchronise); otherwise cast.
        :returns: with ``use_call``, ``AGENT_NEW``, ``AGENT_ALIVE`` or
            ``AGENT_REVIVED``; else None.
        :raises Timeout: with ``use_call``, no conductor answered in time.
        """
        sent_at = datetime.datetime.now(datetime.timezone.utc).isoformat()
        cctxt = self._client.prepare()
        if use_call:
            return cctxt.call(ctx, 'report_state', agent_state=dict(agent_state), time=sent_at)
        cctxt.cast(ctx, 'report_state', agent_state=dict(agent_state), time=sent_at)
        return None
