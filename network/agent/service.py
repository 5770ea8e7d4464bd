"""The ``stratus-network-agent`` process: RPC server, heartbeat and the apply loop.

It serves topic ``network.agent`` as server ``[DEFAULT] host``, reports
itself every ``report_interval`` as Neutron's four agents of a host (Linux
bridge, DHCP, L3, metadata), and runs ``AgentManager.run`` in a thread.
It holds no database credentials (ARCHITECTURE §3).
"""
import logging
import os
import threading

from common import rpc
from common import service
from common.context import RequestContext
from network import rpcapi
from network.agent import dhcp
from network.agent import firewall
from network.agent import l2
from network.agent import l3
from network.agent import manager
from network.agent import metadata_proxy

LOG = logging.getLogger(__name__)


def _parts(conf, state_dir):
    """The parts in the order a pass applies them: bridges before what plugs into them,
    filters before the ports count as wired, routers before their metadata proxies."""
    return [l2.Bridges(conf, state_dir), firewall.Firewall(conf, state_dir),
            dhcp.Dhcp(conf, state_dir), l3.Routers(conf, state_dir),
            metadata_proxy.MetadataProxy(conf, state_dir)]


class AgentProcess(service.Service):

    def __init__(self, conf, transport=None):
        transport = transport or rpc.get_transport(conf)
        state_dir = conf.agent.state_dir
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        self._conductor = rpcapi.ConductorAPI(conf, transport=transport)
        metadata = {'host': conf.metadata.nova_metadata_host,
                    'port': conf.metadata.nova_metadata_port,
                    'shared_secret': conf.metadata.metadata_proxy_shared_secret}
        self.manager = manager.AgentManager(conf, self._conductor, _parts(conf, state_dir),
                                            metadata)
        self._started = False
        super().__init__(conf, binary=manager.BINARY, topic=rpcapi.AGENT_TOPIC,
                         endpoints=[manager.AgentEndpoint(self.manager)], rpc_version=rpcapi.AGENT_VERSION,
                         heartbeat=self.report_state, transport=transport)
        self._loop = None

    def report_state(self):
        """Heartbeat of the four agents; a conductor that took us for new or dead
        makes the next pass ask for the whole state again."""
        first = not self._started
        answers = []
        for agent_state in manager.agent_states(self.conf, self.manager.current, first):
            answers.append(self._conductor.report_state(RequestContext.admin(), agent_state,
                                                        use_call=True))
        self._started = True
        if not first and any(answer != rpcapi.AGENT_ALIVE for answer in answers):
            LOG.info('The conductor saw host %s back; resynchronising', self.host)
            self.manager.resync()

    def start(self):
        super().start()
        self._loop = threading.Thread(target=self.manager.run, args=(self._stopping,),
                                      name='network-agent-loop', daemon=True)
        self._loop.start()

    def stop(self, timeout=30):
        super().stop(timeout)
        if self._loop is not None:
            self._loop.join(timeout)
