"""Queries of the network database: store and fetch, no rules."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.types import utcnow
from network.db import models as m


def report_agent_state(session, *, agent_type, binary, topic, host, availability_zone,
                       configurations, start_flag):
    """Record that an agent reported itself now; create its row on first sight.

    :param start_flag: True on the agent's first report after it started:
        ``started_at`` is reset.
    :returns: the ``Agent`` row.
    """
    stmt = sa.select(m.Agent).where(m.Agent.agent_type == agent_type, m.Agent.host == host)
    agent = session.execute(stmt).scalar_one_or_none()
    now = utcnow()
    if agent is None:
        try:
            # Two first reports may race: the loser updates the winner's row.
            with session.begin_nested():
                agent = m.Agent(agent_type=agent_type, host=host, binary=binary, topic=topic,
                                availability_zone=availability_zone,
                                configurations=configurations or {}, created_at=now,
                                started_at=now, heartbeat_timestamp=now)
                session.add(agent)
            return agent
        except sa_exc.IntegrityError:
            agent = session.execute(stmt).scalar_one()
    agent.binary = binary
    agent.topic = topic
    agent.availability_zone = availability_zone
    agent.configurations = configurations or {}
    agent.heartbeat_timestamp = now
    if start_flag:
        agent.started_at = now
    return agent


def count(session, model, project_id):
    """How many rows of ``model`` ``project_id`` owns."""
    return session.execute(sa.select(sa.func.count()).select_from(model)
                           .where(model.project_id == project_id)).scalar_one()


def allocated_addresses(session, subnet_id):
    """The addresses of ``subnet_id`` in use, as a set of strings."""
    return set(session.execute(sa.select(m.IPAllocation.ip_address)
                               .where(m.IPAllocation.subnet_id == subnet_id)).scalars())


def subnets_of(session, network_ids):
    """``{network id: [subnet id, ...]}`` for ``network_ids``."""
    result = {n: [] for n in network_ids}
    if network_ids:
        rows = session.execute(sa.select(m.Subnet.network_id, m.Subnet.id)
                               .where(m.Subnet.network_id.in_(network_ids))
                               .order_by(m.Subnet.created_at, m.Subnet.id))
        for network_id, subnet_id in rows:
            result[network_id].append(subnet_id)
    return result


def ports_on(session, *, network_id=None, subnet_id=None, device_owners=None):
    """The ports on a network, or with an address on a subnet (of ``device_owners``)."""
    stmt = sa.select(m.Port)
    if device_owners is not None:
        stmt = stmt.where(m.Port.device_owner.in_(device_owners))
    if network_id is not None:
        stmt = stmt.where(m.Port.network_id == network_id)
    if subnet_id is not None:
        stmt = stmt.where(m.Port.id.in_(sa.select(m.IPAllocation.port_id)
                                        .where(m.IPAllocation.subnet_id == subnet_id)))
    return list(session.execute(stmt).scalars())


def bump_revision(row):
    """Move ``row``'s ``revision_number`` on by one in the UPDATE itself, so that
    concurrent writers each count (a Python ``+= 1`` loses one of two).

    The attribute is expired by the flush and read back on next access.
    """
    row.revision_number = type(row).revision_number + 1


def lock(session, model, row_id):
    """Lock the row ``row_id`` of ``model`` until the transaction ends (no-op on SQLite,
    whose writers are serialised anyway); whether the row (still) exists.

    Taken before a change that inserts a reference to the row, it turns a
    concurrent delete of the row into a clean "not found" instead of a
    foreign-key error.  Routers are locked before ports wherever both are.
    """
    return session.execute(sa.select(model.id).where(model.id == row_id)
                           .with_for_update()).first() is not None


def exists(session, model, row_id):
    """Whether the row ``row_id`` of ``model`` is in the database (not the session's cache)."""
    return session.execute(sa.select(model.id).where(model.id == row_id)).first() is not None


def used_segmentation_ids(session, network_type, low, high):
    return set(session.execute(sa.select(m.Network.segmentation_id).where(
        m.Network.network_type == network_type,
        m.Network.segmentation_id.between(low, high))).scalars())


def disassociate_floating_ips(session, port_id):
    """Detach the floating IPs of ``port_id`` (which is going away)."""
    session.execute(sa.update(m.FloatingIP).where(m.FloatingIP.fixed_port_id == port_id)
                    .values(fixed_port_id=None, fixed_ip_address=None, router_id=None,
                            status='DOWN').execution_options(synchronize_session='fetch'))


def serves_router_or_floating_ip(session, port_id):
    """Whether ``port_id`` is a port of a router or holds a floating IP's address."""
    of_router = sa.select(m.RouterPort.port_id).where(m.RouterPort.port_id == port_id)
    of_fip = sa.select(m.FloatingIP.id).where(m.FloatingIP.floating_port_id == port_id)
    return session.execute(of_router.union_all(of_fip)).first() is not None
