"""Which agent serves what: the DHCP agent of each network, the L3 agent of each router.

As Neutron's schedulers do, with its tables (``network_dhcp_agent_bindings``,
``router_l3_agent_bindings``): a network with a DHCP-enabled subnet gets
the least loaded alive, admin-up DHCP agent, a router the least loaded such
L3 agent, and either moves to another one when its agent is dead or was
deleted (a dead agent keeps what it has while no other can take it).  The
network's DHCP port follows its agent (``dhcp_ports``), and the ports of a
router are bound to its agent's host, as Neutron binds them.

``schedule`` runs before every push of the host states.  It first reads
what is bound where, and opens a write transaction only for a network or
router that needs a change, which locks that network or router first (as
the API's deletes do), so two conductors scheduling at once, or a delete
racing with them, take turns.
"""
import collections
import logging

import sqlalchemy as sa

from network import agents as agent_rules
from network import ports
from network import routers as router_rules
from network import rpcapi
from network.conductor import dhcp_ports
from network.db import api as db_api
from network.db import models as m
from network.db import retry

LOG = logging.getLogger(__name__)


class _Choice:
    """The agents of one type that may take more, and how much each serves."""

    def __init__(self, conf, agents, agent_type, bound_agent_ids):
        self._conf = conf
        self.by_id = {a.id: a for a in agents if a.agent_type == agent_type}
        self._load = collections.Counter(bound_agent_ids)
        self._usable = [a for a in self.by_id.values() if a.admin_state_up and self.alive(a)]

    def alive(self, agent):
        return agent is not None and agent_rules.is_alive(agent, self._conf.agent_down_time)

    def any_usable(self):
        return bool(self._usable)

    def least_loaded(self):
        """The least loaded usable agent (by host name among equals); None if there is none."""
        if not self._usable:
            return None
        return min(self._usable, key=lambda a: (self._load[a.id], a.host))

    def moved(self, change):
        """Count ``change``, ``(new agent id, previous agent id or None)``, once committed."""
        if change is not None:
            new, previous = change
            self._load[new] += 1
            if previous is not None:
                self._load[previous] -= 1

    def keeps(self, agent_id):
        """Whether what ``agent_id`` serves stays with it: alive, or none can take over."""
        agent = self.by_id.get(agent_id)
        if agent is None:
            return False
        return self.alive(agent) or not self._usable


def _agent_row(session, agent_id):
    return session.get(m.Agent, agent_id) if agent_id else None


# --- DHCP ----------------------------------------------------------------------------

def _dhcp_subnet_ids(session, network_ids=None):
    stmt = sa.select(m.Subnet.network_id, m.Subnet.id).where(m.Subnet.enable_dhcp.is_(True))
    if network_ids is not None:
        stmt = stmt.where(m.Subnet.network_id.in_(network_ids))
    found = collections.defaultdict(list)
    for network_id, subnet_id in session.execute(stmt.order_by(m.Subnet.created_at,
                                                               m.Subnet.id)):
        found[network_id].append(subnet_id)
    return found


def _schedule_network(session, conf, choice, network_id):
    """Bind ``network_id`` to a DHCP agent and make its port, or undo both; the binding's
    ``(new agent id, previous agent id)`` when it moved, else None."""
    if not db_api.lock(session, m.Network, network_id):
        return  # deleted meanwhile: its binding and port went with it
    subnet_ids = _dhcp_subnet_ids(session, [network_id]).get(network_id, [])
    binding = session.get(m.NetworkDhcpAgentBinding, network_id)
    if not subnet_ids:
        if binding is not None:
            LOG.info('Network %s has no DHCP subnet left: unscheduled', network_id)
            session.delete(binding)
        dhcp_ports.delete_all(session, network_id)
        return None
    previous = binding.dhcp_agent_id if binding is not None else None
    change = None
    if previous is None or not choice.keeps(previous):
        agent = choice.least_loaded()
        if agent is None:
            LOG.warning('No alive DHCP agent can serve network %s', network_id)
            return None
        change = (agent.id, previous)
        LOG.info('Network %s scheduled to the DHCP agent of host %s', network_id, agent.host)
        if binding is None:
            session.add(m.NetworkDhcpAgentBinding(network_id=network_id,
                                                  dhcp_agent_id=agent.id))
        else:
            binding.dhcp_agent_id = agent.id
        session.flush()
    else:
        agent = _agent_row(session, previous)
    dhcp_ports.ensure(session, conf, network_id, agent.host, subnet_ids)
    return change


def _dhcp_settled(choice, subnet_ids, agent_id, network_ports):
    if not subnet_ids:
        return agent_id is None and not network_ports
    if agent_id is None:
        return not choice.any_usable()  # nothing to do until an agent comes
    if not choice.keeps(agent_id) or len(network_ports) != 1:
        return False
    return dhcp_ports.is_current(network_ports[0], choice.by_id[agent_id].host, subnet_ids)


def schedule_networks(db, conf):
    """Bind every network with a DHCP subnet to a DHCP agent (and unbind the others)."""
    with db.reader() as session:
        agents = list(session.execute(sa.select(m.Agent)).scalars())
        subnets = _dhcp_subnet_ids(session)
        bindings = dict(session.execute(sa.select(m.NetworkDhcpAgentBinding.network_id,
                                                  m.NetworkDhcpAgentBinding.dhcp_agent_id)).all())
        network_ports = collections.defaultdict(list)
        for port in session.execute(sa.select(m.Port).where(
                m.Port.device_owner == dhcp_ports.OWNER)).scalars():
            network_ports[port.network_id].append(port)
        choice = _Choice(conf, agents, rpcapi.DHCP_AGENT, bindings.values())
        unsettled = sorted(n for n in set(subnets) | set(bindings) | set(network_ports)
                           if not _dhcp_settled(choice, subnets.get(n), bindings.get(n),
                                                network_ports.get(n, [])))
    for network_id in unsettled:
        try:
            choice.moved(retry.in_writer(
                db, lambda s: _schedule_network(s, conf, choice, network_id)))
        except Exception:  # one network must not keep the others from their DHCP
            LOG.exception('Could not schedule network %s to a DHCP agent', network_id)


# --- L3 ------------------------------------------------------------------------------

def _router_ports(router):
    return [a.port for a in router.attached]


def _schedule_router(session, choice, router_id):
    """Bind ``router_id`` to an L3 agent, and its ports to that agent's host; as
    ``_schedule_network``, what moved."""
    if not db_api.lock(session, m.Router, router_id):
        return None
    router = session.get(m.Router, router_id)
    binding = session.get(m.RouterL3AgentBinding, router_id)
    previous = binding.l3_agent_id if binding is not None else None
    change = None
    if previous is None or not choice.keeps(previous):
        agent = choice.least_loaded()
        if agent is None:
            LOG.warning('No alive L3 agent can host router %s', router_id)
            return None
        change = (agent.id, previous)
        LOG.info('Router %s scheduled to the L3 agent of host %s', router_id, agent.host)
        if binding is None:
            session.add(m.RouterL3AgentBinding(router_id=router_id, l3_agent_id=agent.id))
        else:
            binding.l3_agent_id = agent.id
        session.flush()
    else:
        agent = _agent_row(session, previous)
    for port in _router_ports(router):
        if port.binding_host_id != agent.host:
            ports.update(session, router_rules.SERVICE, port, {'binding:host_id': agent.host})
    return change


def schedule_routers(db, conf):
    """Bind every router to an L3 agent."""
    with db.reader() as session:
        agents = list(session.execute(sa.select(m.Agent)).scalars())
        bindings = dict(session.execute(sa.select(m.RouterL3AgentBinding.router_id,
                                                  m.RouterL3AgentBinding.l3_agent_id)).all())
        choice = _Choice(conf, agents, rpcapi.L3_AGENT, bindings.values())
        unsettled = []
        for router in session.execute(sa.select(m.Router).order_by(m.Router.id)).scalars():
            agent_id = bindings.get(router.id)
            if agent_id is None:
                if choice.any_usable():
                    unsettled.append(router.id)
            elif not choice.keeps(agent_id) or any(
                    p.binding_host_id != choice.by_id[agent_id].host
                    for p in _router_ports(router)):
                unsettled.append(router.id)
    for router_id in unsettled:
        try:
            choice.moved(retry.in_writer(
                db, lambda s: _schedule_router(s, choice, router_id)))
        except Exception:  # one router must not keep the others from their agent
            LOG.exception('Could not schedule router %s to an L3 agent', router_id)


def schedule(db, conf):
    schedule_networks(db, conf)
    schedule_routers(db, conf)
