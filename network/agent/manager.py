"""The network agent of one host: keeps Linux in step with the conductor's host state.

Level-triggered, like Neutron's agents after a resync: every pass gets
the host's whole desired state (``network.rpcapi`` documents its form) and
each part makes Linux match it, changing only what differs, then removes
what it made that the state no longer holds.  A pass runs

* at start (the state is asked for; stale namespaces, bridges, chains and
  dnsmasq processes of a previous life are removed then),
* when the conductor pushes a state (after every API change),
* when a tap device appears or disappears (the compute agent made or
  removed a guest's port),
* every ``[agent] resync_interval`` seconds (the state is asked for again),
  and when the conductor took this agent for dead and sees it back.

Passes run one at a time in one thread; a push that arrives during a pass
makes one more pass with the newest state.  After each pass the agent
tells the conductor which ports are wired (an instance's tap, or the veth
of a DHCP server or router, in its bridge, filters in place): those turn
ACTIVE, and compute hears of the instances' ones.
"""
import logging
import threading
import time

from common.context import RequestContext
from network import rpcapi
from network.agent import firewall
from network.agent import l2

LOG = logging.getLogger(__name__)
BINARY = 'stratus-network-agent'
RETRY_DELAY = 2  # seconds before asking a conductor that did not answer again


class AgentEndpoint:
    """The agent's RPC API: only what the conductor may call."""

    def __init__(self, manager):
        self._manager = manager

    def sync_state(self, ctxt, host_state):
        self._manager.sync_state(ctxt, host_state)


class AgentManager:
    """What the conductor's pushes (``sync_state``) feed, and the loop that applies states.

    :param parts: objects with ``sync(host_state)`` and ``cleanup(host_state)``,
        applied in order (bridges first: the others plug into them).
    """

    def __init__(self, conf, conductor, parts, metadata):
        self._conf = conf
        self._host = conf.host
        self._conductor = conductor
        self._parts = parts
        self._metadata = metadata
        self._bridges = next(part for part in parts if isinstance(part, l2.Bridges))
        self._firewall = next(part for part in parts if isinstance(part, firewall.Firewall))
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pushed = None  # the newest state pushed and not applied yet
        self._fetch = True  # ask the conductor at the next pass
        self._reported = None  # (wired, not wired) port ids last reported
        self._taps = set()
        self._first = True  # the first pass also cleans up after a previous life
        self._last_fetch = 0.0  # monotonic time of the last state asked for
        self.current = None  # the state of the last pass, for the heartbeat's figures

    # --- RPC endpoint -------------------------------------------------------------

    def sync_state(self, ctxt, host_state):
        """The conductor's push: apply ``host_state`` soon (casts only; never blocks)."""
        if host_state.get('host') != self._host:
            LOG.warning('Ignoring a state for host %s (this is %s)', host_state.get('host'),
                        self._host)
            return
        with self._lock:
            self._pushed = host_state
        self._wake.set()

    # --- triggers -----------------------------------------------------------------

    def resync(self):
        """Ask the conductor for the whole state at the next pass."""
        with self._lock:
            self._fetch = True
        self._wake.set()

    def poll_taps(self):
        """Wake the loop when the set of tap devices changed."""
        taps = l2.list_taps()
        if taps != self._taps:
            self._taps = taps
            self._wake.set()

    # --- the loop -----------------------------------------------------------------

    def run(self, stopping):
        """Apply states until ``stopping`` (a ``threading.Event``) is set."""
        while not stopping.is_set():
            self._wake.wait(self._conf.agent.polling_interval)
            self._wake.clear()
            try:
                self._pass(stopping)
            except Exception:  # a bug must not end the loop while the heartbeat goes on
                LOG.exception('A pass over the state of host %s failed', self._host)
                stopping.wait(RETRY_DELAY)

    def _pass(self, stopping):
        self.poll_taps()
        if time.monotonic() - self._last_fetch > self._conf.agent.resync_interval:
            self.resync()
        with self._lock:
            state, self._pushed = self._pushed, None
            fetch, self._fetch = self._fetch, False
        if fetch:
            try:
                state = self._conductor.get_host_state(RequestContext.admin(), self._host)
            except Exception as exc:  # the conductor or the bus is down: try again
                LOG.warning('Could not get the state of host %s: %s', self._host, exc)
                with self._lock:
                    self._pushed = self._pushed or state  # a push taken now is not lost
                self.resync()
                stopping.wait(RETRY_DELAY)
                return
            self._last_fetch = time.monotonic()
            # The conductor may have changed port statuses behind our back
            # (a rebinding, an admin state flip): report them all again.
            self._reported = None
        if state is None:
            state = self.current
        if state is None:
            return
        self._apply(state, cleanup=self._first or state is not self.current)
        self._first = False

    def _apply(self, state, cleanup):
        started = time.monotonic()
        state = dict(state, metadata=self._metadata)
        for part in self._parts:
            try:
                part.sync(state)
                if cleanup:
                    part.cleanup(state)
            except Exception:  # a part's bug must not stop the others or the loop
                LOG.exception('%s failed on the state of host %s', type(part).__name__,
                              self._host)
        self.current = state
        self._report_wired(state)
        LOG.debug('Applied the state of host %s in %.2f s (%d networks, %d ports)',
                  self._host, time.monotonic() - started, len(state['networks']),
                  len(state['ports']))

    def _report_wired(self, state):
        """Tell the conductor which ports are wired and which are not, when that changed.

        An instance's port is wired when its tap is in its bridge, it is up and its
        filter is in place; a DHCP server's or router's when its veth is in the bridge.
        """
        filtered = self._firewall.filtered(state)
        wired = {port_id for port_id in self._bridges.wired(state)
                 if port_id not in state['ports'] or
                 (port_id in filtered and state['ports'][port_id]['admin_state_up'])}
        report = (wired, set(state['ports']) - wired)
        if report == self._reported:
            return
        try:
            self._conductor.update_ports_status(RequestContext.admin(), self._host,
                                                active=sorted(report[0]), down=sorted(report[1]))
        except Exception as exc:  # reported again after the next pass
            LOG.warning('Could not report the port status of host %s: %s', self._host, exc)
            return
        for port_id in sorted(wired - (self._reported[0] if self._reported else set())):
            LOG.info('Port %s wired', port_id)
        self._reported = report


AGENT_TYPES = {
    rpcapi.L2_AGENT: lambda conf, state: {
        'tunnel_ip': conf.agent.local_ip, 'tunnel_types': ['vxlan'],
        'bridge_mappings': dict(conf.agent.bridge_mappings),
        'devices': len(state['ports']) if state else 0},
    rpcapi.DHCP_AGENT: lambda conf, state: {
        'dhcp_driver': 'dnsmasq', 'networks': len(state['dhcp']) if state else 0},
    rpcapi.L3_AGENT: lambda conf, state: {
        'agent_mode': 'legacy', 'routers': len(state['routers']) if state else 0},
    rpcapi.METADATA_AGENT: lambda conf, state: {
        'nova_metadata_host': conf.metadata.nova_metadata_host,
        'nova_metadata_port': conf.metadata.nova_metadata_port},
}


def agent_states(conf, state, start_flag):
    """The four ``AgentState`` reports of this process (it is Neutron's four agents in one)."""
    return [rpcapi.AgentState(agent_type=agent_type, binary=BINARY,
                              topic=rpcapi.AGENT_TOPIC, host=conf.host,
                              availability_zone=conf.agent.availability_zone,
                              configurations=configurations(conf, state),
                              start_flag=start_flag)
            for agent_type, configurations in AGENT_TYPES.items()]
