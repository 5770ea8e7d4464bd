"""``service`` bodies of ``os-services`` (Cinder's, with the extended-services fields)."""
from common.db import service_records
from common.wsgi.timestamps import microsecond_time
from volume import service_names
from volume import zones
from volume.api import microversion


def render(service, conf):
    up = service_records.is_up(service, conf.report_interval, conf.service_down_time)
    body = {'binary': service.binary, 'host': service.host,
            'zone': zones.zone_of(service, conf),
            'status': 'disabled' if service.disabled else 'enabled',
            'state': 'up' if up else 'down',
            # The last heartbeat: what tells an operator when it was last heard from.
            'updated_at': microsecond_time(service.last_seen_up or service.updated_at),
            'disabled_reason': service.disabled_reason}
    if microversion.at_least('3.7'):
        body['cluster'] = None
    if service.binary == service_names.AGENT_BINARY:
        body.update({'replication_status': 'disabled', 'active_backend_id': None,
                     'frozen': False})
        if microversion.at_least('3.49'):
            body['backend_state'] = 'up' if up else 'down'
    return body
