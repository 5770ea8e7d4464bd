"""The agent's apply loop: when it asks, what it applies, what it reports."""
import threading

import pytest
from oslo_config import cfg

from network.agent import firewall
from network.agent import l2
from network.agent import manager
from network.agent import opts


class Conductor:
    """Records the agent's calls; answers ``get_host_state`` with ``state``."""

    def __init__(self, state):
        self.state = state
        self.fetches = 0
        self.reports = []

    def get_host_state(self, ctx, host):
        self.fetches += 1
        return self.state

    def update_ports_status(self, ctx, host, active, down):
        self.reports.append((active, down))


class Part:
    def __init__(self, fail=False):
        self.synced, self.cleaned, self.fail = [], [], fail

    def sync(self, state):
        self.synced.append(state)
        if self.fail:
            raise RuntimeError('broken part')

    def cleanup(self, state):
        self.cleaned.append(state)


class Bridges(l2.Bridges, Part):
    """Real ``wired`` logic over a fake view of which taps are in their bridges."""

    def __init__(self):
        Part.__init__(self)
        self.in_bridge = set()

    def wired(self, state):
        return {p for p, port in state['ports'].items() if port['tap'] in self.in_bridge}


class Firewall(firewall.Firewall, Part):
    """``filtered`` as a write that worked (all ports) or failed (none)."""

    def __init__(self):
        Part.__init__(self)
        self.written = True

    def filtered(self, state):
        return set(state['ports']) if self.written else set()


def _state(*port_ids, host='h1'):
    return {'host': host, 'networks': {}, 'security_groups': {}, 'dhcp': {}, 'routers': {},
            'ports': {p: {'id': p, 'tap': f'tap{p[:11]}', 'bridge': 'brqx',
                          'admin_state_up': p != 'admin-down'} for p in port_ids}}


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt('host', default='h1'))
    opts.register_opts(conf)
    conf([])
    conf.set_override('polling_interval', 0.1, group='agent')
    return conf


def _agent(conf, state, *parts):
    bridges = Bridges()
    conductor = Conductor(state)
    agent = manager.AgentManager(conf, conductor, [bridges, Firewall(), *parts],
                                 {'port': 8775})
    return agent, conductor, bridges


class Loop:
    """The agent's loop in a thread; ``applied()`` waits for its next pass."""

    def __init__(self, agent):
        self.agent = agent
        self.stopping = threading.Event()
        self.thread = None

    def applied(self):
        before = self.agent.current
        if self.thread is None:
            self.thread = threading.Thread(target=self.agent.run, args=(self.stopping,))
            self.thread.start()
        for _ in range(250):
            if self.agent.current is not None and self.agent.current is not before:
                return
            self.stopping.wait(0.02)
        raise AssertionError('the loop applied no state in 5 s')

    def stop(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(5)


@pytest.fixture
def loops():
    made = []

    def make(agent):
        made.append(Loop(agent))
        return made[-1]
    yield make
    for loop in made:
        loop.stop()


def test_first_pass_fetches_applies_cleans_up_and_reports(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    other = Part()
    agent, conductor, bridges = _agent(conf, _state('p1', 'p2'), other)
    bridges.in_bridge = {'tapp1'}
    loops(agent).applied()
    assert conductor.fetches == 1
    assert other.synced and other.cleaned  # stale things of a previous life go at start
    assert other.synced[0]['metadata'] == {'port': 8775}
    assert conductor.reports == [(['p1'], ['p2'])]


def test_push_is_applied_and_only_changes_are_reported(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    agent, conductor, bridges = _agent(conf, _state('p1'))
    bridges.in_bridge = {'tapp1'}
    loop = loops(agent)
    loop.applied()
    agent.sync_state(None, _state('p1'))
    loop.applied()
    assert conductor.reports == [(['p1'], [])]  # nothing changed: nothing sent again
    bridges.in_bridge = {'tapp1', 'tapp2'}
    agent.sync_state(None, _state('p1', 'p2', 'admin-down'))
    loop.applied()
    assert conductor.reports[-1] == (['p1', 'p2'], ['admin-down'])
    assert conductor.fetches == 1  # pushes need no fetch


def test_a_state_for_another_host_is_ignored(conf, monkeypatch):
    monkeypatch.setattr(l2, 'list_taps', set)
    agent, _conductor, _bridges = _agent(conf, _state('p1'))
    agent.sync_state(None, _state('p9', host='h2'))
    assert agent._pushed is None


def test_a_failing_part_does_not_stop_the_others(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    broken, after = Part(fail=True), Part()
    agent, _conductor, _bridges = _agent(conf, _state('p1'), broken, after)
    loops(agent).applied()
    assert broken.synced and after.synced


def test_conductor_down_is_retried(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    agent, conductor, _bridges = _agent(conf, _state('p1'))
    calls = []

    def flaky(ctx, host):
        calls.append(host)
        if len(calls) == 1:
            raise TimeoutError('no conductor')
        return _state('p1')
    conductor.get_host_state = flaky
    monkeypatch.setattr(manager, 'RETRY_DELAY', 0.01)
    loops(agent).applied()
    assert len(calls) >= 2 and agent.current is not None


def test_agent_states_are_neutrons_four_agents(conf):
    states = manager.agent_states(conf, _state('p1'), start_flag=True)
    assert [s['agent_type'] for s in states] == [
        'Linux bridge agent', 'DHCP agent', 'L3 agent', 'Metadata agent']
    assert all(s['binary'] == 'stratus-network-agent' and s['start_flag'] for s in states)
    assert states[0]['configurations']['tunnel_ip'] == '127.0.0.1'
    assert states[0]['configurations']['devices'] == 1


def test_ports_without_their_filter_are_not_reported_wired(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    agent, conductor, bridges = _agent(conf, _state('p1'))
    agent._firewall.written = False  # iptables-restore failed
    bridges.in_bridge = {'tapp1'}
    loops(agent).applied()
    assert conductor.reports == [([], ['p1'])]


def test_a_pass_that_raises_does_not_end_the_loop(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    monkeypatch.setattr(manager, 'RETRY_DELAY', 0.01)
    agent, conductor, bridges = _agent(conf, _state('p1'))
    calls = []

    def wired(state):
        calls.append(state)
        if len(calls) == 1:
            raise KeyError('a bug')
        return set()
    bridges.wired = wired
    loop = loops(agent)
    loop.applied()
    agent.sync_state(None, _state('p1'))
    loop.applied()
    assert len(calls) >= 2 and conductor.reports


def test_a_fetched_state_reports_everything_again(conf, monkeypatch, loops):
    monkeypatch.setattr(l2, 'list_taps', set)
    agent, conductor, bridges = _agent(conf, _state('p1'))
    bridges.in_bridge = {'tapp1'}
    loop = loops(agent)
    loop.applied()
    agent.resync()  # the conductor may have set p1 DOWN meanwhile
    loop.applied()
    assert conductor.reports == [(['p1'], []), (['p1'], [])]


def test_only_sync_state_is_callable_over_rpc():
    public = {name for name in dir(manager.AgentEndpoint) if not name.startswith('_')}
    assert public == {'sync_state'}
