"""The network conductor's RPC endpoints and its process.

The methods of ``ConductorManager`` have the names of
``network.rpcapi.ConductorAPI``'s.  The conductor is the only writer of
what the network agents report; it has no heartbeat of its own, since
Neutron's API lists agents only.
"""
import logging

from common import service
from network import rpcapi
from network.conductor import agent_reports

LOG = logging.getLogger(__name__)
BINARY = 'stratus-network-conductor'


class ConductorManager:

    def __init__(self, conf, db):
        self._conf = conf
        self._db = db

    def report_state(self, ctxt, agent_state, time):
        """See ``rpcapi.ConductorAPI.report_state``.  A cast has no caller to
        tell about a failure, so it is logged here too."""
        try:
            return agent_reports.report_state(self._db, self._conf, agent_state, time)
        except Exception:
            LOG.exception('report_state(%s) failed', agent_state)
            raise


class ConductorService(service.Service):
    """A network conductor process: the RPC server on ``network.conductor``."""

    def __init__(self, conf, db, transport=None):
        super().__init__(conf, binary=BINARY, topic=rpcapi.CONDUCTOR_TOPIC,
                         endpoints=[ConductorManager(conf, db)],
                         rpc_version=rpcapi.CONDUCTOR_VERSION, transport=transport)
