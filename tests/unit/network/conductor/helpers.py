"""Builders of the conductor unit tests: agents as they report, ports bound to hosts."""
import datetime

import sqlalchemy as sa

from common.db.types import utcnow
from network import rpcapi
from network.conductor import agent_notifier
from network.conductor import agent_reports
from network.conductor import host_state
from network.db import models as m

AGENT_TYPES = (rpcapi.L2_AGENT, rpcapi.DHCP_AGENT, rpcapi.L3_AGENT, rpcapi.METADATA_AGENT)


def add_agents(env, host, tunnel_ip='192.0.2.1', bridge_mappings=None, types=AGENT_TYPES):
    """The agents of ``host`` report themselves (alive now)."""
    configurations = {
        rpcapi.L2_AGENT: {'tunnel_ip': tunnel_ip, 'tunnel_types': ['vxlan'],
                          'bridge_mappings': bridge_mappings or {}, 'devices': 0},
        rpcapi.DHCP_AGENT: {'networks': 0}, rpcapi.L3_AGENT: {'routers': 0},
        rpcapi.METADATA_AGENT: {}}
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    for agent_type in types:
        agent_reports.report_state(env.db, env.conf, rpcapi.AgentState(
            agent_type=agent_type, binary='stratus-network-agent', topic=rpcapi.AGENT_TOPIC,
            host=host, availability_zone='nova', configurations=configurations[agent_type],
            start_flag=True), now)


def kill_agents(env, host):
    """The agents of ``host`` fell silent long ago."""
    with env.db.writer() as session:
        session.execute(sa.update(m.Agent).where(m.Agent.host == host).values(
            heartbeat_timestamp=utcnow() - datetime.timedelta(
                seconds=env.conf.agent_down_time + 5)))


def agent_id(env, host, agent_type):
    with env.db.reader() as session:
        return session.execute(sa.select(m.Agent.id).where(
            m.Agent.host == host, m.Agent.agent_type == agent_type)).scalar_one()


def instance_port(api, network_id, host, as_='member', server='server-1', **attrs):
    """A port of server ``server`` bound to ``host``, as compute makes it."""
    port = api.port(network_id, as_=as_, device_owner='compute:nova', device_id=server,
                    **attrs)
    response = api.put(f"/v2.0/ports/{port['id']}", as_='cloud_admin',
                       json={'port': {'binding:host_id': host}})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()['port']


def state(env, host):
    with env.db.reader() as session:
        return host_state.build(session, env.conf, host)


def push(env, agent_api=None):
    """One push: schedule, floating IP status, states sent to ``agent_api`` (if any)."""
    agent_notifier.StatePusher(env.conf, env.db, agent_api or _Discard()).push()


class _Discard:
    def sync_state(self, ctx, host, host_state):
        pass


def show(api, resource, row_id, as_='cloud_admin'):
    response = api.get(f'/v2.0/{resource}s/{row_id}', as_=as_)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[resource]
