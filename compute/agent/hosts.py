"""The hosts one agent process serves, each with its RPC server and heartbeat.

A real agent serves one host, ``[DEFAULT] host``.  With the fake driver
it may simulate many (``[fake_driver] host_count``), named ``<host>``,
``<host>-2``, ``<host>-3`` …, so that a scheduler benchmark can run a
hundred hosts in one process.  Each host is independent: its own driver,
its own RPC server (topic ``compute.agent``, server = its name), its own
``report_state`` heartbeat and power-state sync.

Agents hold no database credentials (ARCHITECTURE §3): everything they
know of a server comes in the conductor's orders, and everything they
observe goes back to it over RPC.
"""
import logging
import threading

from common import rpc
from common import service
from common.context import RequestContext
from compute import rpcapi
from compute.agent import images
from compute.agent import manager
from compute.agent.drivers import driver as virt

LOG = logging.getLogger(__name__)
BINARY = 'stratus-compute-agent'


def host_names(conf):
    """The names of the hosts this process serves."""
    count = conf.fake_driver.host_count if conf.agent.virt_driver == 'fake' else 1
    return [conf.host] + [f'{conf.host}-{n}' for n in range(2, count + 1)]


class _HostService(service.Service):
    """A ``Service`` for ``host``, which may differ from ``conf.host`` (simulated hosts)."""

    def __init__(self, conf, host, **kwargs):
        super().__init__(conf, **kwargs)
        self.host = host


class AgentHost:
    """One hypervisor host: driver, endpoints, heartbeat and power sync.

    :param conductor: a ``compute.rpcapi.ConductorAPI``.
    :param transport: the RPC transport shared by the process's hosts.
    """

    def __init__(self, conf, host, driver, conductor, transport, snapshot_images):
        self.conf = conf
        self.host = host
        self.driver = driver
        self._conductor = conductor
        self.manager = manager.AgentManager(host, driver, conductor, snapshot_images,
                                            images.BootImages(conf))
        tasks = []
        interval = conf.conductor.power_sync_interval
        if interval:
            tasks.append(service.PeriodicTask('power_sync', interval, self.sync_power_states,
                                              initial_delay=interval))
        self.service = _HostService(
            conf, host, binary=BINARY, topic=rpcapi.AGENT_TOPIC, endpoints=[self.manager],
            rpc_version=rpcapi.AGENT_VERSION, heartbeat=self.report_state,
            periodic_tasks=tasks, transport=transport)

    def report_state(self):
        """Heartbeat: the host is alive and offers these resources."""
        self._conductor.report_state(RequestContext.admin(), self.host,
                                     self.driver.host_resources().as_report())

    def sync_power_states(self, startup=False):
        """Tell the conductor what the hypervisor runs, so it can correct the database."""
        self._conductor.sync_power_states(RequestContext.admin(), self.host,
                                          self.driver.list_instances(), startup=startup)

    def start(self):
        self.service.start()
        # Reconcile at start (Nova's init_host): the conductor learns what
        # this host runs after a restart and removes what it should not.
        try:
            self.sync_power_states(startup=True)
        except Exception:  # the bus may be down; the periodic sync repeats it
            LOG.exception('Could not report the guests of %s at start', self.host)

    def stop(self, timeout=30):
        self.service.stop(timeout)


class AgentProcess:
    """All the hosts of one ``stratus-compute-agent``, started and stopped together.

    It has the ``start``/``stop``/``stopped`` of a ``common.service.Service``
    so that ``common.service.launch`` can run it.
    """

    def __init__(self, conf, transport=None, snapshot_images=None):
        self.transport = transport or rpc.get_transport(conf)
        conductor = rpcapi.ConductorAPI(conf, transport=self.transport)
        snapshot_images = snapshot_images or images.SnapshotImages(conf)
        self.hosts = [AgentHost(conf, name, virt.load_driver(conf.agent.virt_driver, conf, name),
                                conductor, self.transport, snapshot_images)
                      for name in host_names(conf)]
        self._stopped = False

    def start(self):
        for host in self.hosts:
            host.start()

    def stop(self, timeout=30):
        """Stop every host at once: each waits for its messages in flight."""
        self._stopped = True
        threads = [threading.Thread(target=host.stop, args=(timeout,), daemon=True)
                   for host in self.hosts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    @property
    def stopped(self):
        return self._stopped
