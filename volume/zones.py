"""Availability zones: those of the volume backends, as their agents report them.

A zone is available when at least one enabled ``cinder-volume`` service in
it is up (Cinder's rule).  A volume may be created in any zone a backend
reported, and always in ``default_availability_zone``, so that a cloud
whose agents have not reported yet still takes requests (the conductor
then finds no backend and puts the volume in ``error``).
"""
import sqlalchemy as sa

from common.db import service_records
from volume import service_names
from volume.db import models as m


def _agents(session):
    return session.execute(sa.select(m.Service).where(
        m.Service.binary == service_names.AGENT_BINARY)).scalars().all()


def zone_of(service, conf):
    return service.availability_zone or conf.default_availability_zone


def zones(session, conf):
    """``[(name, available)]`` of the zones of the backends, by name."""
    found = {}
    for service in _agents(session):
        up = not service.disabled and service_records.is_up(
            service, conf.report_interval, conf.service_down_time)
        zone = zone_of(service, conf)
        found[zone] = found.get(zone, False) or up
    return sorted(found.items())


def allowed(session, conf):
    """The zones a new volume may be put in."""
    return {conf.default_availability_zone, *(zone_of(s, conf) for s in _agents(session))}
