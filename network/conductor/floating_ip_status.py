"""Floating IP status: ACTIVE while it points at a port through a router that an alive
L3 agent hosts, DOWN otherwise (Neutron's floating IP statuses)."""
import sqlalchemy as sa

from network import agents as agent_rules
from network import rpcapi
from network.db import models as m


def refresh(session, conf):
    """Set every floating IP's status from its association and its router's agent.

    Conditional UPDATEs: only the floating IPs whose status changes are written
    (and get a new revision).
    """
    alive = [a.id for a in session.execute(sa.select(m.Agent).where(
        m.Agent.agent_type == rpcapi.L3_AGENT)).scalars()
        if agent_rules.is_alive(a, conf.agent_down_time)]
    hosted = sa.select(m.RouterL3AgentBinding.router_id).where(
        m.RouterL3AgentBinding.l3_agent_id.in_(alive))
    working = sa.and_(m.FloatingIP.fixed_port_id.is_not(None),
                      m.FloatingIP.router_id.in_(hosted))
    idle = sa.or_(m.FloatingIP.fixed_port_id.is_(None), m.FloatingIP.router_id.is_(None),
                  m.FloatingIP.router_id.not_in(hosted))
    for status, condition in (('ACTIVE', working), ('DOWN', idle)):
        session.execute(sa.update(m.FloatingIP).where(condition, m.FloatingIP.status != status)
                        .values(status=status,
                                revision_number=m.FloatingIP.revision_number + 1)
                        .execution_options(synchronize_session=False))
