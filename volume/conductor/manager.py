"""The volume conductor's RPC endpoint and its process.

The methods of ``ConductorManager`` have the names of
``volume.rpcapi.ConductorAPI``'s.  Every message is a cast, so a failure
has no caller to tell: it is logged here, and the volume keeps the
status it had (an operator's os-reset_status puts it right).
"""
import functools
import logging

from common import rpc
from common import service
from volume import rpcapi
from volume.conductor import backend_reports
from volume.conductor import orchestration

LOG = logging.getLogger(__name__)
BINARY = 'stratus-volume-conductor'


def _logged(method):
    @functools.wraps(method)
    def run(self, ctxt, **kwargs):
        try:
            return method(self, ctxt, **kwargs)
        except Exception:
            LOG.exception('%s(%s) failed', method.__name__, kwargs)
            raise
    return run


class ConductorManager:

    def __init__(self, conf, db, agents):
        self._db = db
        self._orchestrator = orchestration.Orchestrator(conf, db, agents)

    @_logged
    def create_volume(self, ctxt, volume_id, request_spec):
        """See ``rpcapi.ConductorAPI.create_volume``."""
        self._orchestrator.create_volume(ctxt, volume_id, request_spec)

    @_logged
    def delete_volume(self, ctxt, volume_id, cascade=False):
        """See ``rpcapi.ConductorAPI.delete_volume``."""
        self._orchestrator.delete_volume(ctxt, volume_id, cascade)

    @_logged
    def extend_volume(self, ctxt, volume_id, new_size):
        """See ``rpcapi.ConductorAPI.extend_volume``."""
        self._orchestrator.extend_volume(ctxt, volume_id, new_size)

    @_logged
    def report_state(self, ctxt, backend_state):
        """See ``rpcapi.ConductorAPI.report_state``."""
        backend_reports.report_state(self._db, backend_state)

    @_logged
    def volume_done(self, ctxt, volume_id, action, host, values=None, error=None):
        """See ``rpcapi.ConductorAPI.volume_done``."""
        if action not in rpcapi.ACTIONS:
            raise ValueError(f'Unknown volume action {action!r}')
        self._orchestrator.volume_done(volume_id, action, host, values, error)


class ConductorService(service.Service):
    """A volume conductor process: the RPC server on ``volume.conductor`` and its own
    ``cinder-scheduler`` heartbeat."""

    def __init__(self, conf, db, transport=None):
        transport = transport or rpc.get_transport(conf)
        agents = rpcapi.AgentAPI(conf, transport=transport)
        super().__init__(conf, binary=BINARY, topic=rpcapi.CONDUCTOR_TOPIC,
                         endpoints=[ConductorManager(conf, db, agents)],
                         rpc_version=rpcapi.CONDUCTOR_VERSION, transport=transport,
                         heartbeat=lambda: backend_reports.conductor_heartbeat(db, conf))
