"""The network conductor's RPC endpoints and its process.

The methods of ``ConductorManager`` have the names of
``network.rpcapi.ConductorAPI``'s.  The conductor is the only writer of
what the network agents report, schedules networks and routers to them
and pushes each host its state (``agent_notifier``); it has no heartbeat
of its own, since Neutron's API lists agents only.
"""
import logging

from common import rpc
from common import service
from network import rpcapi
from network.conductor import agent_notifier
from network.conductor import agent_reports
from network.conductor import compute_events
from network.conductor import host_state
from network.conductor import port_status

LOG = logging.getLogger(__name__)
BINARY = 'stratus-network-conductor'
# Seconds between looks at whether the host states must be pushed: the delay
# between an API change and its push, at most.
PUSH_POLL_INTERVAL = 0.25


class ConductorManager:

    def __init__(self, conf, db, pusher, events):
        self._conf = conf
        self._db = db
        self._pusher = pusher
        self._events = events

    def report_state(self, ctxt, agent_state, time):
        """See ``rpcapi.ConductorAPI.report_state``.  A cast has no caller to
        tell about a failure, so it is logged here too.  An agent that turns up
        gets its state pushed (and what no alive agent served may go to it)."""
        try:
            answer = agent_reports.report_state(self._db, self._conf, agent_state, time)
        except Exception:
            LOG.exception('report_state(%s) failed', agent_state)
            raise
        if answer != rpcapi.AGENT_ALIVE:
            self._pusher.mark_dirty()
        return answer

    def get_host_state(self, ctxt, host):
        """See ``rpcapi.ConductorAPI.get_host_state``."""
        with self._db.reader() as session:
            return host_state.build(session, self._conf, host)

    def update_ports_status(self, ctxt, host, active, down):
        """See ``rpcapi.ConductorAPI.update_ports_status``."""
        plugged = port_status.update(self._db, host, active, down)
        if plugged:
            self._events.vif_plugged(plugged)

    def resources_changed(self, ctxt):
        """See ``rpcapi.ConductorAPI.resources_changed``."""
        self._pusher.mark_dirty()


class ConductorService(service.Service):
    """A network conductor process: the RPC server on ``network.conductor`` and the
    pushes of the host states to the agents."""

    def __init__(self, conf, db, transport=None, events=None):
        transport = transport or rpc.get_transport(conf)
        self.pusher = agent_notifier.StatePusher(
            conf, db, rpcapi.AgentAPI(conf, transport=transport))
        self._events = events or compute_events.ComputeEvents(conf)
        super().__init__(conf, binary=BINARY, topic=rpcapi.CONDUCTOR_TOPIC,
                         endpoints=[ConductorManager(conf, db, self.pusher, self._events)],
                         rpc_version=rpcapi.CONDUCTOR_VERSION, transport=transport,
                         periodic_tasks=[service.PeriodicTask(
                             'push_host_states', PUSH_POLL_INTERVAL, self.pusher.tick)])

    def stop(self, timeout=30):
        super().stop(timeout)
        self._events.shutdown()
