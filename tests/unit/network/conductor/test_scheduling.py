"""Scheduling networks to DHCP agents and routers to L3 agents; the DHCP port's life."""
import uuid

import sqlalchemy as sa

from network import rpcapi
from network.db import models as m
from tests.unit.network.conductor.helpers import (add_agents, agent_id, instance_port,
                                                  kill_agents, push, show)
from tests.unit.network.l3_fixtures import add_interface, external_network, router, set_gateway


def _dhcp_binding(env, network_id):
    with env.db.reader() as session:
        binding = session.get(m.NetworkDhcpAgentBinding, network_id)
        return binding.dhcp_agent_id if binding else None


def _l3_binding(env, router_id):
    with env.db.reader() as session:
        binding = session.get(m.RouterL3AgentBinding, router_id)
        return binding.l3_agent_id if binding else None


def _dhcp_ports(env, network_id):
    ports = env.api.get(f'/v2.0/ports?network_id={network_id}&device_owner=network:dhcp',
                        as_='cloud_admin').get_json()['ports']
    return ports


def test_a_dhcp_network_gets_an_agent_and_a_dhcp_port(env):
    add_agents(env, 'host-1')
    net = env.api.network()
    v4 = env.api.subnet(net['id'], cidr='10.0.0.0/24')
    v6 = env.api.subnet(net['id'], cidr='fd00::/64')
    env.api.subnet(net['id'], cidr='10.0.9.0/24', enable_dhcp=False)
    push(env)
    assert _dhcp_binding(env, net['id']) == agent_id(env, 'host-1', rpcapi.DHCP_AGENT)
    [port] = _dhcp_ports(env, net['id'])
    assert port['device_id'] == f"dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, 'host-1')}-{net['id']}"
    assert port['binding:host_id'] == 'host-1' and port['status'] == 'DOWN'
    assert sorted(f['subnet_id'] for f in port['fixed_ips']) == sorted([v4['id'], v6['id']])
    assert port['security_groups'] == []
    push(env)  # settled: nothing changes
    [again] = _dhcp_ports(env, net['id'])
    assert again['revision_number'] == port['revision_number']
    # A member does not see the service's port, nor count it.
    assert env.api.get(f"/v2.0/ports?network_id={net['id']}").get_json()['ports'] == []


def test_no_agent_no_scheduling_and_the_least_loaded_agent_is_chosen(env):
    first = env.api.network()
    env.api.subnet(first['id'], cidr='10.0.0.0/24')
    push(env)
    assert _dhcp_binding(env, first['id']) is None and _dhcp_ports(env, first['id']) == []
    add_agents(env, 'host-1')
    push(env)
    add_agents(env, 'host-2', tunnel_ip='192.0.2.2')
    second = env.api.network()
    env.api.subnet(second['id'], cidr='10.0.1.0/24')
    push(env)
    assert _dhcp_binding(env, first['id']) == agent_id(env, 'host-1', rpcapi.DHCP_AGENT)
    assert _dhcp_binding(env, second['id']) == agent_id(env, 'host-2', rpcapi.DHCP_AGENT)


def test_admin_down_agents_take_nothing_new(env):
    add_agents(env, 'host-1')
    down = agent_id(env, 'host-1', rpcapi.DHCP_AGENT)
    assert env.api.put(f'/v2.0/agents/{down}', as_='cloud_admin', json={
        'agent': {'admin_state_up': False}}).status_code == 200
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    assert _dhcp_binding(env, net['id']) is None


def test_a_dead_agents_network_moves_with_its_port(env):
    add_agents(env, 'host-1')
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    [before] = _dhcp_ports(env, net['id'])
    kill_agents(env, 'host-1')
    push(env)  # no other agent: it stays
    assert _dhcp_binding(env, net['id']) == agent_id(env, 'host-1', rpcapi.DHCP_AGENT)
    add_agents(env, 'host-2', tunnel_ip='192.0.2.2')
    push(env)
    assert _dhcp_binding(env, net['id']) == agent_id(env, 'host-2', rpcapi.DHCP_AGENT)
    [after] = _dhcp_ports(env, net['id'])
    assert after['id'] == before['id'] and after['fixed_ips'] == before['fixed_ips']
    assert after['binding:host_id'] == 'host-2'
    assert after['device_id'] == f"dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, 'host-2')}-{net['id']}"


def test_a_deleted_agents_network_is_rescheduled(env):
    add_agents(env, 'host-1')
    add_agents(env, 'host-2', tunnel_ip='192.0.2.2')
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    bound = _dhcp_binding(env, net['id'])
    assert env.api.delete(f'/v2.0/agents/{bound}', as_='cloud_admin').status_code == 204
    push(env)
    assert _dhcp_binding(env, net['id']) not in (None, bound)


def test_the_dhcp_port_follows_the_subnets(env):
    add_agents(env, 'host-1')
    net = env.api.network()
    first = env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    second = env.api.subnet(net['id'], cidr='10.0.1.0/24')
    push(env)
    [port] = _dhcp_ports(env, net['id'])
    assert sorted(f['subnet_id'] for f in port['fixed_ips']) == sorted([first['id'],
                                                                        second['id']])
    kept = next(f for f in port['fixed_ips'] if f['subnet_id'] == first['id'])
    assert env.api.put(f"/v2.0/subnets/{second['id']}", json={
        'subnet': {'enable_dhcp': False}}).status_code == 200
    push(env)
    [port] = _dhcp_ports(env, net['id'])
    assert port['fixed_ips'] == [kept]
    assert env.api.put(f"/v2.0/subnets/{first['id']}", json={
        'subnet': {'enable_dhcp': False}}).status_code == 200
    push(env)
    assert _dhcp_ports(env, net['id']) == [] and _dhcp_binding(env, net['id']) is None


def test_subnets_and_networks_with_a_dhcp_port_can_be_deleted(env):
    add_agents(env, 'host-1')
    net = env.api.network()
    subnet = env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    assert len(_dhcp_ports(env, net['id'])) == 1
    assert env.api.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 204
    push(env)
    assert _dhcp_ports(env, net['id']) == [] and _dhcp_binding(env, net['id']) is None
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    push(env)
    assert len(_dhcp_ports(env, net['id'])) == 1
    assert env.api.delete(f"/v2.0/networks/{net['id']}").status_code == 204
    push(env)
    with env.db.reader() as session:
        assert session.execute(sa.select(m.NetworkDhcpAgentBinding)).first() is None
        assert session.execute(sa.select(m.Port)).first() is None


def test_routers_get_an_l3_agent_and_their_ports_its_host(env):
    public, _ = external_network(env.api)
    net = env.api.network()
    subnet = env.api.subnet(net['id'], cidr='10.0.0.0/24', enable_dhcp=False)
    r = router(env.api)
    set_gateway(env.api, r['id'], public['id'])
    assert add_interface(env.api, r['id'], subnet_id=subnet['id']).status_code == 200
    push(env)
    assert _l3_binding(env, r['id']) is None
    add_agents(env, 'host-1')
    push(env)
    assert _l3_binding(env, r['id']) == agent_id(env, 'host-1', rpcapi.L3_AGENT)
    router_ports = env.api.get(f"/v2.0/ports?device_id={r['id']}", as_='cloud_admin')\
        .get_json()['ports']
    assert len(router_ports) == 2
    assert {p['binding:host_id'] for p in router_ports} == {'host-1'}
    kill_agents(env, 'host-1')
    add_agents(env, 'host-2', tunnel_ip='192.0.2.2')
    push(env)
    assert _l3_binding(env, r['id']) == agent_id(env, 'host-2', rpcapi.L3_AGENT)
    router_ports = env.api.get(f"/v2.0/ports?device_id={r['id']}", as_='cloud_admin')\
        .get_json()['ports']
    assert {(p['binding:host_id'], p['status']) for p in router_ports} == {('host-2', 'DOWN')}
    assert env.api.put(f"/v2.0/routers/{r['id']}/remove_router_interface",
                       json={'subnet_id': subnet['id']}).status_code == 200
    assert env.api.put(f"/v2.0/routers/{r['id']}", json={
        'router': {'external_gateway_info': {}}}).status_code == 200
    assert env.api.delete(f"/v2.0/routers/{r['id']}").status_code == 204
    assert _l3_binding(env, r['id']) is None


def test_floating_ip_status_follows_its_router_agent(env):
    public, _ = external_network(env.api)
    net = env.api.network()
    subnet = env.api.subnet(net['id'], cidr='10.0.0.0/24')
    r = router(env.api)
    set_gateway(env.api, r['id'], public['id'])
    add_interface(env.api, r['id'], subnet_id=subnet['id'])
    port = instance_port(env.api, net['id'], 'compute-host')
    fip = env.api.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id'], 'port_id': port['id']}}).get_json()['floatingip']
    push(env)  # no L3 agent
    assert show(env.api, 'floatingip', fip['id'])['status'] == 'DOWN'
    add_agents(env, 'host-1')
    push(env)
    assert show(env.api, 'floatingip', fip['id'])['status'] == 'ACTIVE'
    kill_agents(env, 'host-1')
    push(env)
    assert show(env.api, 'floatingip', fip['id'])['status'] == 'DOWN'
    add_agents(env, 'host-1')
    push(env)
    env.api.put(f"/v2.0/floatingips/{fip['id']}", json={'floatingip': {'port_id': None}})
    push(env)
    assert show(env.api, 'floatingip', fip['id'])['status'] == 'DOWN'
