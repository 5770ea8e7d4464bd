"""The conductor over ``fake://`` RPC: host states asked for and pushed, port reports,
and an API change reaching an agent's RPC server on topic ``network.agent``."""
import queue
import time
from unittest import mock

import pytest

from common import rpc
from common.context import RequestContext
from network import rpcapi
from network.conductor.manager import ConductorManager, ConductorService
from tests.unit.network.conductor.helpers import add_agents, instance_port, show


class Agent:
    """The RPC endpoint of a network agent: the states it is sent, in order."""

    def __init__(self):
        self.states = queue.Queue()

    def sync_state(self, ctxt, host_state):
        self.states.put(host_state)

    def wait_for(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, 'no such state was pushed'
            try:
                state = self.states.get(timeout=remaining)
            except queue.Empty:
                continue
            if predicate(state):
                return state


@pytest.fixture
def deployment(make_env, tmp_path):
    """An API, a conductor and the agent of host-1, on one ``fake://`` transport."""
    env = make_env(database_url=f'sqlite:///{tmp_path}/network.sqlite', host='conductor-1',
                   state_push_interval=3600)
    events = mock.Mock()
    conductor = ConductorService(env.conf, env.db, transport=env.transport, events=events)
    agent = Agent()
    server = rpc.get_server(env.transport, rpcapi.AGENT_TOPIC, 'host-1', [agent],
                            rpcapi.AGENT_VERSION)
    server.start()
    conductor.start()
    try:
        yield env, rpcapi.ConductorAPI(env.conf, transport=env.transport), agent, events
    finally:
        conductor.stop(timeout=5)
        server.stop()
        server.wait()


def test_an_api_change_is_pushed_to_the_agent_of_the_host(deployment):
    env, _, agent, _ = deployment
    add_agents(env, 'host-1')
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    port = instance_port(env.api, net['id'], 'host-1')
    state = agent.wait_for(lambda s: port['id'] in s['ports'] and net['id'] in s['dhcp'])
    assert state['host'] == 'host-1' and net['id'] in state['networks']
    assert env.api.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    agent.wait_for(lambda s: port['id'] not in s['ports'])


def test_an_agent_asks_for_its_state_and_reports_its_ports(deployment):
    env, conductor_api, _, events = deployment
    add_agents(env, 'host-1')
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    port = instance_port(env.api, net['id'], 'host-1')
    state = conductor_api.get_host_state(RequestContext.admin(), 'host-1')
    assert list(state['ports']) == [port['id']]
    conductor_api.update_ports_status(RequestContext.admin(), 'host-1',
                                      active=[port['id']], down=[])
    assert show(env.api, 'port', port['id'])['status'] == 'ACTIVE'
    events.vif_plugged.assert_called_once_with([(port['id'], 'server-1')])


def test_a_new_agent_gets_its_state_pushed(deployment):
    env, conductor_api, agent, _ = deployment
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    state = rpcapi.AgentState(agent_type=rpcapi.DHCP_AGENT, binary='stratus-network-agent',
                              topic=rpcapi.AGENT_TOPIC, host='host-1',
                              availability_zone='nova', configurations={}, start_flag=True)
    assert conductor_api.report_state(RequestContext.admin(), state,
                                      use_call=True) == rpcapi.AGENT_NEW
    agent.wait_for(lambda s: net['id'] in s['dhcp'])


def test_every_conductor_client_method_has_its_endpoint():
    client_methods = {n for n in vars(rpcapi.ConductorAPI) if not n.startswith('_')}
    assert client_methods == {'report_state', 'get_host_state', 'update_ports_status',
                              'resources_changed'}
    assert all(callable(getattr(ConductorManager, n, None)) for n in client_methods)
