"""``service`` bodies (Nova's ``_get_service_detail``)."""
from common.db import service_records
from common.wsgi.timestamps import microsecond_time
from compute.api import microversion


def state(service, conf):
    """``up`` or ``down``: heard from recently and not forced down."""
    alive = service_records.is_up(service, conf.report_interval, conf.service_down_time)
    return 'up' if alive else 'down'


def status(service):
    return 'disabled' if service.disabled else 'enabled'


def render(service, zone, conf):
    body = {'id': service.uuid if microversion.at_least('2.53') else service.id,
            'binary': service.binary, 'host': service.host, 'zone': zone,
            'status': status(service), 'state': state(service, conf),
            # The last heartbeat: what tells an operator when it was last heard from.
            'updated_at': microsecond_time(service.last_seen_up or service.updated_at),
            'disabled_reason': service.disabled_reason}
    if microversion.at_least('2.11'):
        body['forced_down'] = service.forced_down
    return body
