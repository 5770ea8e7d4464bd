"""``/os-availability-zone``: the zones hosts are in, and (for admins) their services.

Zones are derived from service records and aggregates (``compute.zones``).
The plain list hides the ``internal`` zone of conductors and shows no
hosts; ``/detail`` shows every zone with the enabled services of its
hosts, as Nova does.
"""
import flask
import sqlalchemy as sa

from common.db import service_records
from common.wsgi.timestamps import microsecond_time
from compute import zones
from compute.api import support
from compute.db import models as m

bp = flask.Blueprint('availability_zones', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-availability-zone')


def _zone(name, available, hosts=None):
    return {'zoneName': name, 'zoneState': {'available': available}, 'hosts': hosts}


@bp.get('')
def index():
    support.authorize('os-availability-zone:list')
    conf = flask.current_app.conf
    with support.db().reader() as session:
        available, unavailable = zones.zones_by_state(session, conf)
    result = [_zone(z, True) for z in available if z != zones.INTERNAL_ZONE]
    result += [_zone(z, False) for z in unavailable if z != zones.INTERNAL_ZONE]
    return flask.jsonify(availabilityZoneInfo=result)


@bp.get('/detail')
def detail():
    support.authorize('os-availability-zone:detail')
    conf = flask.current_app.conf
    with support.db().reader() as session:
        services = session.execute(sa.select(m.Service).order_by(
            m.Service.host, m.Service.id)).scalars().all()
        service_zone = zones.service_zones(session, conf, services)
        available, unavailable = zones.zones_by_state(session, conf)
    hosts = {}
    for service in services:
        if service.disabled:
            continue
        alive = service_records.is_up(service, conf.report_interval, conf.service_down_time)
        by_host = hosts.setdefault(service_zone[service.id], {})
        by_host.setdefault(service.host, {})[service.binary] = {
            'available': alive, 'active': True,
            'updated_at': microsecond_time(service.last_seen_up or service.updated_at)}
    result = [_zone(z, True, hosts.get(z, {})) for z in available]
    result += [_zone(z, False) for z in unavailable]
    return flask.jsonify(availabilityZoneInfo=result)
