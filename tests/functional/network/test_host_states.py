"""The network conductor and the agents' side of it, on RabbitMQ and a real database.

A network API and ``stratus-network-conductor`` share a RabbitMQ virtual host;
this test process plays the agents of two hosts: it reports them through
``network.rpcapi`` and serves topic ``network.agent`` as each host with an
endpoint that keeps the states it is pushed.  API changes reach those
endpoints; DHCP is scheduled, its port made, moved and removed; the
agents' port reports make ports ACTIVE and the conductor tries to tell
compute (there is none here: it logs that).
"""
import queue
import time

import pytest

from common import rpc
from common.context import RequestContext
from network import rpcapi
from tests import servers
from tests.functional.network.conftest import api_with_conductor
from tests.functional.network.conftest import conductor_client

AGENT_TYPES = (rpcapi.L2_AGENT, rpcapi.DHCP_AGENT, rpcapi.L3_AGENT, rpcapi.METADATA_AGENT)


class AgentEndpoint:
    """What the network agent of one host is pushed, in order."""

    def __init__(self):
        self.states = queue.Queue()

    def sync_state(self, ctxt, host_state):
        self.states.put(host_state)

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.states.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                continue
            if predicate(last):
                return last
        raise AssertionError(f'no state pushed matched; the last one: {last}')


@pytest.fixture(scope='module')
def deployment(identity, database_backend, tmp_path_factory):
    """A network API and its conductor on a RabbitMQ virtual host of their own."""
    directory = tmp_path_factory.mktemp(f'network-states-{database_backend}')
    with api_with_conductor(identity, database_backend, directory) as deployed:
        yield deployed


@pytest.fixture(scope='module')
def bus(deployment):
    """``(ConductorAPI, transport)`` as an agent has them, once the conductor answers."""
    _api, conductor, vhost = deployment
    with conductor_client(conductor, vhost, timeout=10) as client_and_transport:
        yield client_and_transport


@pytest.fixture
def agent_host(deployment, identity, bus):
    """``make(tunnel_ip)``: a new host whose four agents reported; ``(host, endpoint)``.

    Afterwards its agents are deleted, as for a host taken out of the cloud, so
    that the next test's scheduling sees its own hosts only.
    """
    client, transport = bus
    servers_started, hosts = [], []

    def make(tunnel_ip):
        host = servers.unique_name('host')
        endpoint = AgentEndpoint()
        server = rpc.get_server(transport, rpcapi.AGENT_TOPIC, host, [endpoint],
                                rpcapi.AGENT_VERSION)
        server.start()
        servers_started.append(server)
        hosts.append(host)
        for agent_type in AGENT_TYPES:
            client.report_state(RequestContext.admin(), rpcapi.AgentState(
                agent_type=agent_type, binary='stratus-network-agent',
                topic=rpcapi.AGENT_TOPIC, host=host, availability_zone='nova',
                configurations={'tunnel_ip': tunnel_ip, 'bridge_mappings': {}}
                if agent_type == rpcapi.L2_AGENT else {}, start_flag=True), use_call=True)
        return host, endpoint
    yield make
    for server in servers_started:
        server.stop()
        server.wait()
    admin = _admin(deployment, identity)
    for host in hosts:
        for agent in _ok(admin.get('/v2.0/agents', params={'host': host}))['agents']:
            _ok(admin.delete(f"/v2.0/agents/{agent['id']}"), 204)


def _admin(deployment, identity):
    token, _ = identity.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    return deployment[0].client(token)


def _ok(response, code=200):
    assert response.status_code == code, response.text
    return response.json() if response.content else None


def _instance_port(admin, client, network_id, host, server):
    port = _ok(client.post('/v2.0/ports', json={'port': {
        'network_id': network_id, 'device_owner': 'compute:nova', 'device_id': server}}), 201)
    return _ok(admin.put(f"/v2.0/ports/{port['port']['id']}", json={
        'port': {'binding:host_id': host}}))['port']


def _dhcp_ports(admin, network_id):
    return _ok(admin.get('/v2.0/ports', params={'network_id': network_id,
                                                'device_owner': 'network:dhcp'}))['ports']


def _wait(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f'timed out waiting for {what}'
        time.sleep(0.2)


def test_changes_reach_the_agents_of_their_hosts_only(deployment, identity, bus, agent_host,
                                                      make_account):
    admin = _admin(deployment, identity)
    (host_1, agent_1), (host_2, agent_2) = agent_host('192.0.2.1'), agent_host('192.0.2.2')
    p, q = (make_account(roles=('member',)) for _ in range(2))
    p_client, q_client = deployment[0].client(p.token), deployment[0].client(q.token)
    p_net = _ok(p_client.post('/v2.0/networks', json={'network': {'name': 'p'}}), 201)['network']
    # No DHCP: a DHCP server may be scheduled to either host, whoever's network it is.
    _ok(p_client.post('/v2.0/subnets', json={'subnet': {
        'network_id': p_net['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4,
        'enable_dhcp': False}}), 201)
    q_net = _ok(q_client.post('/v2.0/networks', json={'network': {'name': 'q'}}), 201)['network']
    _ok(q_client.post('/v2.0/subnets', json={'subnet': {
        'network_id': q_net['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4,
        'enable_dhcp': False}}), 201)
    p_port = _instance_port(admin, p_client, p_net['id'], host_1, 'server-p')
    q_port = _instance_port(admin, q_client, q_net['id'], host_2, 'server-q')

    state_1 = agent_1.wait_for(lambda s: p_port['id'] in s['ports'])
    assert state_1['host'] == host_1 and state_1['ports'][p_port['id']]['tap'] == \
        'tap' + p_port['id'][:11]
    assert '192.0.2.2' in state_1['networks'][p_net['id']]['vxlan_peers']
    assert '192.0.2.1' not in state_1['networks'][p_net['id']]['vxlan_peers']
    state_2 = agent_2.wait_for(lambda s: q_port['id'] in s['ports'])
    assert q_net['id'] not in str(state_1['networks']) + str(state_1['ports'])
    assert p_port['id'] not in str(state_2['ports'])
    assert p.project_id not in {g['project_id'] for g in state_2['security_groups'].values()}

    client, _ = bus
    asked = client.get_host_state(RequestContext.admin(), host_2)
    assert list(asked['ports']) == [q_port['id']] and p_net['id'] not in asked['networks']


def test_dhcp_is_scheduled_moved_and_removed(deployment, identity, bus, agent_host,
                                             make_account):
    admin = _admin(deployment, identity)
    host_1, agent_1 = agent_host('192.0.2.11')
    project = make_account(roles=('member',))
    client = deployment[0].client(project.token)
    net = _ok(client.post('/v2.0/networks', json={'network': {'name': 'd'}}), 201)['network']
    subnet = _ok(client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.1.0.0/24', 'ip_version': 4}}), 201)['subnet']
    served = agent_1.wait_for(lambda s: net['id'] in s['dhcp'])['dhcp'][net['id']]
    assert served['namespace'] == f"qdhcp-{net['id']}"
    [port] = _dhcp_ports(admin, net['id'])
    assert port['binding:host_id'] == host_1
    assert port['fixed_ips'][0]['subnet_id'] == subnet['id']
    assert served['port']['id'] == port['id']

    # Its agent deleted, the network moves to another one, with the same port.
    host_2, agent_2 = agent_host('192.0.2.12')
    dhcp_agent = _ok(admin.get('/v2.0/agents', params={
        'host': host_1, 'agent_type': rpcapi.DHCP_AGENT}))['agents'][0]
    _ok(admin.delete(f"/v2.0/agents/{dhcp_agent['id']}"), 204)
    moved = agent_2.wait_for(lambda s: net['id'] in s['dhcp'])['dhcp'][net['id']]
    assert moved['port']['id'] == port['id']
    assert moved['port']['fixed_ips'] == served['port']['fixed_ips']
    _wait(lambda: _dhcp_ports(admin, net['id'])[0]['binding:host_id'] == host_2,
          'the DHCP port to move')

    # No DHCP subnet left: no port, no server; and the network deletes.
    _ok(client.put(f"/v2.0/subnets/{subnet['id']}", json={'subnet': {'enable_dhcp': False}}))
    agent_2.wait_for(lambda s: net['id'] not in s['dhcp'])
    _wait(lambda: _dhcp_ports(admin, net['id']) == [], 'the DHCP port to go')
    _ok(client.put(f"/v2.0/subnets/{subnet['id']}", json={'subnet': {'enable_dhcp': True}}))
    _wait(lambda: len(_dhcp_ports(admin, net['id'])) == 1, 'a new DHCP port')
    _ok(client.delete(f"/v2.0/networks/{net['id']}"), 204)


def test_a_wired_port_turns_active_and_compute_is_told(deployment, identity, bus, agent_host,
                                                       make_account):
    admin = _admin(deployment, identity)
    host, agent = agent_host('192.0.2.21')
    project = make_account(roles=('member',))
    client = deployment[0].client(project.token)
    net = _ok(client.post('/v2.0/networks', json={'network': {'name': 's'}}), 201)['network']
    _ok(client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.2.0.0/24', 'ip_version': 4}}), 201)
    port = _instance_port(admin, client, net['id'], host, 'server-s')
    assert port['status'] == 'DOWN'
    agent.wait_for(lambda s: port['id'] in s['ports'])

    conductor_api, _ = bus
    conductor_api.update_ports_status(RequestContext.admin(), host, active=[port['id']],
                                      down=[])
    shown = _ok(admin.get(f"/v2.0/ports/{port['id']}"))['port']
    assert shown['status'] == 'ACTIVE' and shown['revision_number'] > port['revision_number']
    # There is no compute service in this deployment: the event is attempted,
    # and its failure logged (then retried for about half a minute).
    conductor = deployment[1]
    _wait(lambda: f"Sending network-vif-plugged ({port['id']}) of server server-s failed"
          in conductor.log_tail(400), 'the conductor to try compute')

    conductor_api.update_ports_status(RequestContext.admin(), host, active=[],
                                      down=[port['id']])
    assert _ok(admin.get(f"/v2.0/ports/{port['id']}"))['port']['status'] == 'DOWN'
    # Another host's agent cannot touch it.
    conductor_api.update_ports_status(RequestContext.admin(), 'some-other-host',
                                      active=[port['id']], down=[])
    assert _ok(admin.get(f"/v2.0/ports/{port['id']}"))['port']['status'] == 'DOWN'
