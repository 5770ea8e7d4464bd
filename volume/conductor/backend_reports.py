"""Heartbeats: the conductor's own, and the backends' ``report_state``.

Agents have no database, so the conductor writes for them: the backend's
``cinder-volume`` service record (``os-services`` shows it down once it
stops reporting) with its zone and the capabilities the scheduler reads.
"""
import logging

import jsonschema

from common import exceptions
from common.db import service_records
from volume import rpcapi
from volume import service_names
from volume.db import models as m

LOG = logging.getLogger(__name__)

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}
BACKEND_STATE_SCHEMA = {
    'type': 'object',
    'properties': {
        'host': {**_NAME, 'pattern': '^[^@#]+@[^@#]+$'},
        'availability_zone': _NAME,
        'capabilities': {'type': ['object', 'null']},
    },
    'required': ['host', 'availability_zone', 'capabilities'],
}


def conductor_heartbeat(db, conf):
    """Record this conductor (``cinder-scheduler`` on ``[DEFAULT] host``) alive now."""
    with db.writer() as session:
        record = service_records.record_heartbeat(
            session, m.Service, conf.host, service_names.CONDUCTOR_BINARY,
            topic=rpcapi.CONDUCTOR_TOPIC)
        if record.availability_zone is None:
            record.availability_zone = conf.default_availability_zone


def report_state(db, backend_state):
    """Record the backend alive now, in its zone, with its capabilities.

    :param backend_state: a ``rpcapi.BackendState``.
    :raises BadRequest: it is not one.
    """
    try:
        jsonschema.validate(backend_state, BACKEND_STATE_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise exceptions.BadRequest(f'Invalid backend state: {exc.message}') from None
    host = backend_state['host']
    with db.writer() as session:
        record = service_records.record_heartbeat(session, m.Service, host,
                                                  service_names.AGENT_BINARY,
                                                  topic=rpcapi.AGENT_TOPIC)
        if record.report_count == 1:
            LOG.info('New volume backend %s in zone %s', host,
                     backend_state['availability_zone'])
        record.availability_zone = backend_state['availability_zone']
        record.capabilities = backend_state['capabilities']
