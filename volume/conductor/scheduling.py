"""Choosing the backend of a new volume (Cinder's filter scheduler, reduced).

A backend qualifies when its ``cinder-volume`` record is enabled and up,
in the volume's availability zone, named by the type's
``volume_backend_name`` extra spec when the type has one, the backend of
the snapshot or source volume when the request has one (a file backend
copies from its own directory), able to multiattach when asked, and with
room for the volume once its ``reserved_percentage`` is kept free.  Of
those, the one with the most free space wins (Cinder's capacity weigher).
"""
import dataclasses

import sqlalchemy as sa

from common.db import service_records
from volume import service_names
from volume import zones
from volume.db import models as m

BACKEND_NAME_SPEC = 'volume_backend_name'


class NoValidBackend(Exception):
    """No backend can hold the volume; the message says which condition none met."""


@dataclasses.dataclass(frozen=True)
class Choice:
    backend: str  # <host>@<backend>
    pool: str
    service_uuid: str

    @property
    def volume_host(self):
        """The volume's ``host``: ``<host>@<backend>#<pool>``, as in Cinder."""
        return f'{self.backend}#{self.pool}'


def _usable_space(capabilities):
    total = float(capabilities.get('total_capacity_gb') or 0)
    free = float(capabilities.get('free_capacity_gb') or 0)
    reserved = total * float(capabilities.get('reserved_percentage') or 0) / 100
    return free - reserved


def choose(session, conf, spec):
    """The backend for the ``rpcapi.RequestSpec`` ``spec``.

    :raises NoValidBackend: none qualifies; the message says why.
    """
    records = session.execute(sa.select(m.Service).where(
        m.Service.binary == service_names.AGENT_BINARY).order_by(m.Service.host)).scalars()
    candidates = [r for r in records if not r.disabled and r.capabilities and
                  service_records.is_up(r, conf.report_interval, conf.service_down_time)]
    if not candidates:
        raise NoValidBackend('No volume backend is up and enabled.')
    zone = spec['availability_zone']
    candidates = [r for r in candidates if zones.zone_of(r, conf) == zone]
    if not candidates:
        raise NoValidBackend(f'No volume backend is up in availability zone {zone}.')
    wanted_name = spec['volume_type']['extra_specs'].get(BACKEND_NAME_SPEC)
    if wanted_name is not None:
        candidates = [r for r in candidates
                      if r.capabilities.get(BACKEND_NAME_SPEC) == wanted_name]
        if not candidates:
            raise NoValidBackend(f'No volume backend named {wanted_name} (volume type '
                                 f"{spec['volume_type']['name']}) is up in zone {zone}.")
    if spec.get('backend_host'):
        candidates = [r for r in candidates if r.host == spec['backend_host']]
        if not candidates:
            raise NoValidBackend(f"The backend {spec['backend_host']} holding the source of "
                                 f'the volume is not up, or does not match its type and zone.')
    if spec.get('multiattach'):
        candidates = [r for r in candidates if r.capabilities.get('multiattach')]
        if not candidates:
            raise NoValidBackend('No volume backend able to attach a volume to several servers '
                                 'is up.')
    size = spec['size']
    candidates = [r for r in candidates if _usable_space(r.capabilities) >= size]
    if not candidates:
        raise NoValidBackend(f'No volume backend has {size} GiB free.')
    best = max(candidates, key=lambda r: _usable_space(r.capabilities))
    pool = best.capabilities.get('pool_name') or best.capabilities.get(BACKEND_NAME_SPEC) \
        or best.host.partition('@')[2]
    return Choice(backend=best.host, pool=pool, service_uuid=best.uuid)
