"""``stratus-network-conductor`` on RabbitMQ: an agent's report (through
``network.rpcapi``) shows in ``GET /v2.0/agents`` of the network API."""
import time

import pytest

from common import exceptions
from common.context import RequestContext
from network import rpcapi
from tests import servers
from tests.functional.network.conftest import api_with_conductor
from tests.functional.network.conftest import conductor_client

DHCP = {'agent_type': 'DHCP agent', 'binary': 'stratus-network-agent',
        'topic': 'network.agent.dhcp', 'availability_zone': 'nova',
        'configurations': {'networks': 2, 'dhcp_driver': 'dnsmasq'}, 'start_flag': True}


@pytest.fixture(scope='module')
def deployment(identity, database_backend, tmp_path_factory):
    """A network API and one conductor on a RabbitMQ virtual host of their own."""
    directory = tmp_path_factory.mktemp(f'network-conductor-{database_backend}')
    with api_with_conductor(identity, database_backend, directory) as deployed:
        yield deployed


@pytest.fixture(scope='module')
def conductor_api(deployment):
    """A ``ConductorAPI`` as an agent has it, once the conductor answers."""
    _api, conductor, vhost = deployment
    with conductor_client(conductor, vhost, timeout=5) as (client, _transport):
        yield client


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
