"""``/v2.0/networks/{id}/dhcp-agents`` and ``/v2.0/routers/{id}/l3-agents``: which agents
serve a network or host a router (Neutron's agent scheduler extensions, read only).

The conductor decides (``network.conductor.scheduling``); these show its
bindings, with the visibility and policy of ``GET /v2.0/agents``.
"""
import flask
import sqlalchemy as sa

from network import networks
from network import routers
from network.api import agents as agent_views
from network.api import support
from network.db import models as m

bp = flask.Blueprint('agent_schedulers', __name__, url_prefix='/v2.0')


def _agents(session, binding_column, agent_column, subject_id):
    rows = session.execute(sa.select(m.Agent).join(
        binding_column.class_, agent_column == m.Agent.id)
        .where(binding_column == subject_id).order_by(m.Agent.host)).scalars()
    return [agent_views.render(a) for a in rows]


@bp.get('/networks/<network_id>/dhcp-agents')
def network_dhcp_agents(network_id):
    support.authorize('get_agent')
    with support.backend().db.reader() as session:
        networks.get(session, support.caller(), network_id)
        items = _agents(session, m.NetworkDhcpAgentBinding.network_id,
                        m.NetworkDhcpAgentBinding.dhcp_agent_id, network_id)
    return flask.jsonify({'agents': items})


@bp.get('/routers/<router_id>/l3-agents')
def router_l3_agents(router_id):
    support.authorize('get_agent')
    with support.backend().db.reader() as session:
        routers.get(session, support.caller(), router_id)
        items = _agents(session, m.RouterL3AgentBinding.router_id,
                        m.RouterL3AgentBinding.l3_agent_id, router_id)
    return flask.jsonify({'agents': items})
