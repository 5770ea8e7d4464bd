"""The agent's endpoints: orders to the driver, failures answered, hosts of a process."""
from compute import conf as compute_conf
from compute import states
from compute.agent import hosts
from compute.agent import manager
from compute.agent.drivers import fake
from tests.unit import make_conf

VM = {'uuid': 'a1', 'name': 'vm'}


class Conductor:
    def __init__(self):
        self.events = []

    def instance_event(self, ctx, uuid, host, event, ok, power_state=None, error=None):
        self.events.append((uuid, host, event, ok, power_state, error))


def _agent(tmp_path, **overrides):
    conf = make_conf(tmp_path, register=compute_conf.register_opts, **overrides)
    conductor = Conductor()
    return (manager.AgentManager('h1', fake.FakeDriver(conf, 'h1'), conductor, None, None),
            conductor)


def test_spawn_reports_success_and_failure(tmp_path):
    agent, conductor = _agent(tmp_path, fake_driver__fail_spawn_hosts=['h1'])
    agent.spawn(None, VM, {}, [], [])
    assert conductor.events == [('a1', 'h1', 'spawn', False, None,
                                 'Simulated spawn failure on host h1.')]


def test_run_action_answers_power_state_or_error(tmp_path):
    agent, conductor = _agent(tmp_path)
    agent.spawn(None, VM, {}, [], [])
    assert conductor.events[-1][3] is True
    assert agent.run_action(None, VM, 'stop', {}) == {'power_state': states.SHUTDOWN}
    agent.destroy(None, VM)
    reply = agent.run_action(None, VM, 'start', {})
    assert reply == {'power_state': states.NOSTATE,
                     'error': 'Instance a1 could not be found on this host.'}


def test_extend_volume_reaches_the_driver(tmp_path):
    agent, _conductor = _agent(tmp_path)
    agent.spawn(None, VM, {}, [], [])
    agent.run_action(None, VM, 'attach_volume', {'connection_info': {}, 'serial': 'vol-1'})
    assert agent.run_action(None, VM, 'extend_volume', {'serial': 'vol-1'}) == {
        'power_state': states.RUNNING}
    assert agent.driver._guests['a1']['extended'] == {'vol-1': 1}
    reply = agent.run_action(None, VM, 'extend_volume', {'serial': 'vol-2'})
    assert reply['error'] == 'Volume vol-2 is not attached to instance a1.'


def test_console_output_length(tmp_path):
    agent, _ = _agent(tmp_path)
    agent.spawn(None, VM, {}, [], [])
    assert agent.get_console_output(None, VM, 1) == 'login:\n'
    assert agent.get_console_output(None, VM, 0) == ''
    assert agent.get_console_output(None, VM).count('\n') == 2


def test_one_process_simulates_many_hosts(tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts, host='sim',
                     fake_driver__host_count=3)
    assert hosts.host_names(conf) == ['sim', 'sim-2', 'sim-3']
    process = hosts.AgentProcess(conf)
    assert [h.service.host for h in process.hosts] == ['sim', 'sim-2', 'sim-3']
    assert len({id(h.driver) for h in process.hosts}) == 3
