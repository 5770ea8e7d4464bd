"""Availability zones: which zone each host is in, derived as Nova derives it.

A zone is not a stored object.  A compute host is in the zone named by
the ``availability_zone`` metadata of an aggregate that holds it, else in
``[compute] default_availability_zone``; conductors are in the zone
``internal``, which the zone list hides and ``/detail`` shows.  A zone is
*available* when at least one enabled service is in it.

The aggregates API keeps a host in one zone at most (``conflicting_zones``),
so a host never has two; if rows were written around that rule, the names
are joined with commas, as Nova shows them.
"""
import sqlalchemy as sa

from compute import service_names
from compute.db import models as m

INTERNAL_ZONE = 'internal'
ZONE_KEY = 'availability_zone'


def _aggregate_zones(session, hosts=None):
    """``{host: set of zone names}`` of the hosts that a zoned aggregate holds."""
    stmt = (sa.select(m.AggregateHost.host, m.AggregateMetadata.value)
            .join(m.AggregateMetadata,
                  m.AggregateMetadata.aggregate_id == m.AggregateHost.aggregate_id)
            .where(m.AggregateMetadata.key == ZONE_KEY))
    if hosts is not None:
        stmt = stmt.where(m.AggregateHost.host.in_(list(hosts)))
    zones = {}
    for host, zone in session.execute(stmt):
        zones.setdefault(host, set()).add(zone)
    return zones


def _zone_name(names, conf):
    return ','.join(sorted(names)) if names else conf.compute.default_availability_zone


def _agent_hosts(session):
    return session.execute(sa.select(m.Service.host).where(
        m.Service.binary == service_names.AGENT_BINARY)).scalars().all()


def host_zones(session, conf):
    """``{host: zone}`` of every host that has a compute agent service record."""
    hosts = _agent_hosts(session)
    by_host = _aggregate_zones(session, hosts)
    return {host: _zone_name(by_host.get(host), conf) for host in hosts}


def zone_of_host(session, conf, host):
    """The zone of ``host`` (the default zone when no aggregate puts it in one)."""
    return _zone_name(_aggregate_zones(session, [host]).get(host), conf)


def service_zones(session, conf, services):
    """``{service id: zone}``: agents by their host, other binaries ``internal``."""
    agent_hosts = {s.host for s in services if s.binary == service_names.AGENT_BINARY}
    by_host = _aggregate_zones(session, agent_hosts) if agent_hosts else {}
    return {s.id: (_zone_name(by_host.get(s.host), conf)
                   if s.binary == service_names.AGENT_BINARY else INTERNAL_ZONE)
            for s in services}


def zones_by_state(session, conf):
    """``(available, unavailable)``: sorted zone names, ``internal`` included.

    A zone is available when one of its services is enabled, unavailable
    when all of them are disabled (Nova's ``get_availability_zones``).
    """
    services = session.execute(sa.select(m.Service)).scalars().all()
    zones = service_zones(session, conf, services)
    available = {zones[s.id] for s in services if not s.disabled}
    unavailable = {zones[s.id] for s in services if s.disabled} - available
    return sorted(available), sorted(unavailable)


def zone_exists(session, conf, zone):
    """True when ``zone`` has an enabled compute host, so servers may be built in it.

    Nova refuses a requested zone unless it is available; ``internal``
    holds no compute host and so never qualifies.
    """
    services = session.execute(sa.select(m.Service).where(
        m.Service.binary == service_names.AGENT_BINARY,
        m.Service.disabled.is_(False))).scalars().all()
    return zone in set(service_zones(session, conf, services).values())


def zones_elsewhere(session, hosts, aggregate_id):
    """The zones that aggregates other than ``aggregate_id`` put any of ``hosts`` in."""
    if not hosts:
        return []
    stmt = (sa.select(m.AggregateMetadata.value).distinct()
            .join(m.AggregateHost,
                  m.AggregateHost.aggregate_id == m.AggregateMetadata.aggregate_id)
            .where(m.AggregateMetadata.key == ZONE_KEY,
                   m.AggregateHost.host.in_(list(hosts)),
                   m.AggregateMetadata.aggregate_id != aggregate_id))
    return sorted(session.execute(stmt).scalars())


def conflicting_zones(session, hosts, zone, aggregate_id):
    """Zones other than ``zone`` that other aggregates put any of ``hosts`` in.

    Putting those hosts in ``zone`` (adding a host to a zoned aggregate, or
    zoning an aggregate) would leave a host in two zones; Nova refuses it.
    """
    return [z for z in zones_elsewhere(session, hosts, aggregate_id) if z != zone]
