"""``stratus-network-conductor`` on RabbitMQ: an agent's report (through
``network.rpcapi``) shows in ``GET /v2.0/agents`` of the network API."""
import os
import time

import pytest
from oslo_config import cfg

from common import exceptions
from common import rpc
from common.context import RequestContext
from network import conf as network_conf
from network import rpcapi
from tests import servers

DHCP = {'agent_type': 'DHCP agent', 'binary': 'stratus-network-agent',
        'topic': 'network.agent.dhcp', 'availability_zone': 'nova',
        'configurations': {'networks': 2, 'dhcp_driver': 'dnsmasq'}, 'start_flag': True}


@pytest.fixture(scope='module')
def deployment(identity, database_backend, tmp_path_factory):
    """A network API and one conductor on a RabbitMQ virtual host of their own."""
    directory = tmp_path_factory.mktemp(f'network-conductor-{database_backend}')
    vhost = servers.RabbitVhost().create()
    try:
        with servers.database(database_backend, str(directory)) as url:
            api = servers.NetworkServer(str(directory), url, identity,
                                        transport_url=vhost.transport_url).start()
            host_conf = directory / 'conductor-1.conf'
            host_conf.write_text('[DEFAULT]\nhost = conductor-1\n')
            conductor = servers.BackgroundProcess(
                'conductor-1', [servers._bin('stratus-network-conductor'), '--config-file',
                                api.conf_path, '--config-file', str(host_conf)],
                os.path.join(directory, 'conductor-1.log')).start()
            try:
                yield api, conductor, vhost
            finally:
                conductor.stop()
                api.stop()
    finally:
        vhost.delete()


@pytest.fixture(scope='module')
def conductor_api(deployment):
    """A ``ConductorAPI`` as an agent has it, once the conductor answers."""
    _api, conductor, vhost = deployment
    conf = cfg.ConfigOpts()
    network_conf.register_opts(conf, database=False)
    conf([], project='stratus-functional-test', default_config_files=[])
    conf.set_override('transport_url', vhost.transport_url)
    conf.set_override('rpc_response_timeout', 5)
    transport = rpc.get_transport(conf)
    client = rpcapi.ConductorAPI(conf, transport=transport)
    # Until the conductor has declared its queue, a call is dropped and times out.
    deadline = time.monotonic() + 60
    while True:
        assert conductor.running(), conductor.log_tail()
        try:
            client.report_state(RequestContext.admin(), dict(DHCP, host='warm-up'),
                                use_call=True)
            break
        except rpcapi.Timeout:
            assert time.monotonic() < deadline, conductor.log_tail()
    yield client
    transport.cleanup()


def _admin(deployment, identity):
    api = deployment[0]
    token, _ = identity.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    return api.client(token)


def test_a_reported_agent_shows_alive_in_the_agents_api(deployment, conductor_api, identity):
    host = servers.unique_name('host')
    state = dict(DHCP, host=host)
    assert conductor_api.report_state(RequestContext.admin(), state,
                                      use_call=True) == rpcapi.AGENT_NEW
    listed = _admin(deployment, identity).get('/v2.0/agents', params={'host': host})
    assert listed.status_code == 200, listed.text
    [agent] = listed.json()['agents']
    assert (agent['agent_type'], agent['binary'], agent['topic'], agent['host'],
            agent['availability_zone'], agent['configurations']) == (
        'DHCP agent', 'stratus-network-agent', 'network.agent.dhcp', host, 'nova',
        {'networks': 2, 'dhcp_driver': 'dnsmasq'})
    assert agent['alive'] is True and agent['admin_state_up'] is True
    assert conductor_api.report_state(RequestContext.admin(), dict(state, start_flag=False),
                                      use_call=True) == rpcapi.AGENT_ALIVE


def test_a_cast_report_updates_the_agent(deployment, conductor_api, identity):
    host = servers.unique_name('host')
    conductor_api.report_state(RequestContext.admin(), dict(DHCP, host=host), use_call=True)
    conductor_api.report_state(RequestContext.admin(),
                               dict(DHCP, host=host, start_flag=False,
                                    configurations={'networks': 7}))
    admin = _admin(deployment, identity)
    deadline = time.monotonic() + 20
    while True:
        [agent] = admin.get('/v2.0/agents', params={'host': host}).json()['agents']
        if agent['configurations'] == {'networks': 7}:
            break
        assert time.monotonic() < deadline, agent
        time.sleep(0.2)


def test_a_malformed_report_is_refused_over_rpc(conductor_api):
    with pytest.raises(exceptions.BadRequest, match='Invalid agent state'):
        conductor_api.report_state(RequestContext.admin(), {'agent_type': 'DHCP agent'},
                                   use_call=True)
