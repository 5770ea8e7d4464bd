"""``GET /v2.0/networks/{id}/dhcp-agents`` and ``/v2.0/routers/{id}/l3-agents``, and the
hook that tells the conductor of every successful change."""
from unittest import mock

from network import rpcapi
from tests.unit.network.conductor.helpers import add_agents, agent_id, push
from tests.unit.network.l3_fixtures import router


def test_the_agents_serving_a_network_or_router_are_shown_to_admins(env):
    add_agents(env, 'host-1')
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    r = router(env.api)
    quiet = env.api.network()
    push(env)
    [dhcp] = env.api.get(f"/v2.0/networks/{net['id']}/dhcp-agents",
                         as_='cloud_admin').get_json()['agents']
    assert (dhcp['id'], dhcp['host'], dhcp['alive']) == (
        agent_id(env, 'host-1', rpcapi.DHCP_AGENT), 'host-1', True)
    [l3] = env.api.get(f"/v2.0/routers/{r['id']}/l3-agents", as_='cloud_admin')\
        .get_json()['agents']
    assert l3['agent_type'] == rpcapi.L3_AGENT and l3['host'] == 'host-1'
    assert env.api.get(f"/v2.0/networks/{quiet['id']}/dhcp-agents",
                       as_='cloud_admin').get_json() == {'agents': []}
    assert env.api.get(f"/v2.0/networks/{net['id']}/dhcp-agents").status_code == 403
    assert env.api.get('/v2.0/networks/nope/dhcp-agents', as_='cloud_admin').status_code == 404
    assert env.api.get('/v2.0/routers/nope/l3-agents', as_='cloud_admin').status_code == 404


def test_successful_changes_and_only_they_tell_the_conductor(env):
    conductor = mock.Mock()
    env.app.conductor = conductor
    net = env.api.network()
    assert conductor.resources_changed.call_count == 1
    env.api.get(f"/v2.0/networks/{net['id']}")
    assert env.api.post('/v2.0/networks', json={'network': {'bogus': 1}}).status_code == 400
    assert conductor.resources_changed.call_count == 1
    env.api.put(f"/v2.0/networks/{net['id']}", json={'network': {'name': 'x'}})
    env.api.delete(f"/v2.0/networks/{net['id']}")
    assert conductor.resources_changed.call_count == 3


def test_a_conductor_out_of_reach_does_not_fail_the_request(env):
    env.app.conductor = mock.Mock()
    env.app.conductor.resources_changed.side_effect = OSError('no broker')
    assert env.api.post('/v2.0/networks', json={'network': {}}).status_code == 201
