"""The ``stratus-volume-agent`` process: one backend's RPC server and heartbeat.

It serves topic ``volume.agent`` as server ``<host>@<backend>`` (``[DEFAULT]
host`` and ``[backend] volume_backend_name``) and reports that backend's
capabilities every ``report_interval``.  It holds no database credentials
(ARCHITECTURE §3).
"""
import logging

from common import rpc
from common import service
from common.context import RequestContext
from volume import rpcapi
from volume.agent import image_transfer
from volume.agent import manager
from volume.agent import opts
from volume.agent.drivers import driver as base

LOG = logging.getLogger(__name__)


def backend_host(conf):
    """``<host>@<backend>``: this agent's RPC server and service record host."""
    return f'{conf.host}@{conf[opts.BACKEND_GROUP].volume_backend_name}'


class AgentProcess(service.Service):

    def __init__(self, conf, driver=None, transport=None):
        """:param driver: the backend's ``VolumeDriver`` (default: ``[backend] volume_driver``)."""
        transport = transport or rpc.get_transport(conf)
        backend_conf = conf[opts.BACKEND_GROUP]
        self.driver = driver or base.load_driver(backend_conf.volume_driver, conf, conf.host)
        self._conductor = rpcapi.ConductorAPI(conf, transport=transport)
        self.backend = backend_host(conf)
        self.zone = backend_conf.storage_availability_zone or conf.default_availability_zone
        super().__init__(conf, binary=manager.BINARY, topic=rpcapi.AGENT_TOPIC,
                         endpoints=[manager.AgentManager(
                             self.driver, self._conductor, self.backend,
                             images=image_transfer.ImageTransfer(conf, self.driver))],
                         rpc_version=rpcapi.AGENT_VERSION, heartbeat=self.report_state,
                         transport=transport)
        # The RPC server's name: casts for this backend go to ``volume.agent.<host>@<backend>``.
        self.host = self.backend

    def report_state(self):
        """Heartbeat: the backend alive, with its capabilities (``None`` when the driver
        cannot read them: the scheduler then places nothing here)."""
        try:
            capabilities = self.driver.capabilities()
        except base.DriverError as exc:
            LOG.warning('Could not read the capabilities of backend %s: %s', self.backend, exc)
            capabilities = None
        self._conductor.report_state(RequestContext.admin(), rpcapi.BackendState(
            host=self.backend, availability_zone=self.zone, capabilities=capabilities))

    def start(self):
        """Prepare the backend (a ``DriverError`` stops the agent), then serve."""
        self.driver.setup()
        super().start()
