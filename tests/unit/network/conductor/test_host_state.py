"""The host state the conductor builds for an agent: exactly what is on that host."""
import json

from network import rpcapi
from tests.unit.network.conductor.helpers import (add_agents, instance_port, kill_agents, push,
                                                  state)
from tests.unit.network.l3_fixtures import add_interface, external_network, router, set_gateway

HOST, OTHER = 'host-1', 'host-2'


def _keys(typed_dict):
    return set(typed_dict.__annotations__)


def test_an_instance_port_brings_its_network_and_groups(env):
    api = env.api
    add_agents(env, HOST, tunnel_ip='192.0.2.1')
    add_agents(env, OTHER, tunnel_ip='192.0.2.2')
    add_agents(env, 'host-dead', tunnel_ip='192.0.2.3')
    kill_agents(env, 'host-dead')
    net = api.network(name='n1')
    subnet = api.subnet(net['id'], cidr='10.0.0.0/24', dns_nameservers=['192.0.2.53'])
    group = api.post('/v2.0/security-groups', json={'security_group': {'name': 'web'}})\
        .get_json()['security_group']
    rule = api.post('/v2.0/security-group-rules', json={'security_group_rule': {
        'security_group_id': group['id'], 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 22, 'port_range_max': 22, 'remote_group_id': group['id']}})
    assert rule.status_code == 201, rule.get_data(as_text=True)
    port = instance_port(api, net['id'], HOST, security_groups=[group['id']],
                         allowed_address_pairs=[{'ip_address': '10.0.0.200'}])
    elsewhere = instance_port(api, net['id'], OTHER, server='server-2',
                              security_groups=[group['id']])

    found = state(env, HOST)
    assert json.loads(json.dumps(found)) == found  # JSON-safe, as RPC sends it
    assert set(found) == _keys(rpcapi.HostState)
    assert list(found['ports']) == [port['id']]
    wired = found['ports'][port['id']]
    assert set(wired) == _keys(rpcapi.PortState)
    assert wired['tap'] == 'tap' + port['id'][:11] and wired['bridge'] == 'brq' + net['id'][:11]
    assert wired['fixed_ips'] == [{'subnet_id': subnet['id'],
                                   'ip_address': port['fixed_ips'][0]['ip_address']}]
    assert wired['allowed_address_pairs'] == [{'ip_address': '10.0.0.200'}]
    assert wired['security_group_ids'] == [group['id']]
    assert wired['device_id'] == 'server-1' and wired['admin_state_up'] is True

    network = found['networks'][net['id']]
    assert set(network) == _keys(rpcapi.NetworkState)
    assert (network['network_type'], network['bridge'], network['mtu']) == (
        'vxlan', 'brq' + net['id'][:11], 1450)
    assert network['vxlan_peers'] == ['192.0.2.2']  # not itself, not the dead host
    [shown_subnet] = network['subnets']
    assert set(shown_subnet) == _keys(rpcapi.SubnetState)
    assert shown_subnet['dns_nameservers'] == ['192.0.2.53']
    assert shown_subnet['allocation_pools'] == [{'start': '10.0.0.2', 'end': '10.0.0.254'}]

    shown_group = found['security_groups'][group['id']]
    assert set(shown_group) == _keys(rpcapi.SecurityGroupState)
    assert shown_group['member_ips'] == {'IPv4': sorted([
        port['fixed_ips'][0]['ip_address'], elsewhere['fixed_ips'][0]['ip_address'],
        '10.0.0.200']), 'IPv6': []}
    ssh = next(r for r in shown_group['rules'] if r['protocol'] == 'tcp')
    assert (ssh['direction'], ssh['ethertype'], ssh['port_range_min'], ssh['port_range_max'],
            ssh['remote_group_id']) == ('ingress', 'IPv4', 22, 22, group['id'])
    assert found['dhcp'] == {} and found['routers'] == {}  # none scheduled yet


def test_a_host_state_holds_nothing_of_other_hosts_or_projects(env):
    api = env.api
    # DHCP servers run where they are scheduled, whoever's network it is: here on a
    # network node, so that the two compute hosts hold only their own instances'.
    add_agents(env, HOST, types=(rpcapi.L2_AGENT,))
    add_agents(env, OTHER, tunnel_ip='192.0.2.2', types=(rpcapi.L2_AGENT,))
    add_agents(env, 'network-node', tunnel_ip='192.0.2.3')
    mine = api.network(name='mine')
    api.subnet(mine['id'], cidr='10.0.0.0/24')
    theirs = api.network(name='theirs', as_='other_member')
    api.subnet(theirs['id'], cidr='10.9.0.0/24', as_='other_member')
    my_port = instance_port(api, mine['id'], HOST)
    their_port = instance_port(api, theirs['id'], OTHER, as_='other_member', server='s-q')
    push(env)

    for host, port, network, stranger in ((HOST, my_port, mine, theirs),
                                          (OTHER, their_port, theirs, mine)):
        found = state(env, host)
        assert list(found['ports']) == [port['id']]
        text = json.dumps(found)
        assert stranger['id'] not in text
        projects = {n['project_id'] for n in found['networks'].values()}
        projects |= {g['project_id'] for g in found['security_groups'].values()}
        assert projects == {network['project_id']}
        assert found['dhcp'] == {}
    assert set(state(env, 'network-node')['dhcp']) == {mine['id'], theirs['id']}
    assert state(env, 'host-without-anything')['networks'] == {}


def test_flat_networks_use_the_host_bridge_and_unmapped_ones_are_left_out(env):
    api = env.api
    add_agents(env, HOST, bridge_mappings={'public': 'br-ex'})
    add_agents(env, OTHER, tunnel_ip='192.0.2.2')  # maps nothing
    flat = api.network(as_='cloud_admin', shared=True, **{
        'provider:network_type': 'flat', 'provider:physical_network': 'public'})
    api.subnet(flat['id'], cidr='172.24.5.0/24', as_='cloud_admin')
    on_host = instance_port(api, flat['id'], HOST)
    instance_port(api, flat['id'], OTHER, server='server-2')

    found = state(env, HOST)
    network = found['networks'][flat['id']]
    assert (network['bridge'], network['physical_network'], network['vxlan_peers']) == (
        'br-ex', 'public', [])
    assert found['ports'][on_host['id']]['bridge'] == 'br-ex'
    unmapped = state(env, OTHER)
    assert unmapped['networks'] == {} and unmapped['ports'] == {}


def test_dhcp_servers_are_in_the_state_of_their_host_only(env):
    api = env.api
    add_agents(env, HOST)
    net = api.network()
    subnet = api.subnet(net['id'], cidr='10.0.0.0/24')
    api.subnet(net['id'], cidr='10.0.1.0/24', enable_dhcp=False)
    port = instance_port(api, net['id'], 'compute-only-host')
    push(env)
    add_agents(env, OTHER, tunnel_ip='192.0.2.2')  # later, and so not chosen

    found = state(env, HOST)
    served = found['dhcp'][net['id']]
    assert set(served) == _keys(rpcapi.DhcpState)
    assert (served['namespace'], served['bridge'], served['mtu']) == (
        f"qdhcp-{net['id']}", 'brq' + net['id'][:11], 1450)
    assert [s['id'] for s in served['subnets']] == [subnet['id']]
    [dhcp_ip] = served['port']['fixed_ips']
    assert dhcp_ip['subnet_id'] == subnet['id']
    address = port['fixed_ips'][0]['ip_address']
    entry = next(h for h in served['hosts'] if h['port_id'] == port['id'])
    assert entry == {'port_id': port['id'], 'mac_address': port['mac_address'],
                     'ip_address': address, 'subnet_id': subnet['id'],
                     'hostname': 'host-' + address.replace('.', '-')}
    assert net['id'] in found['networks'] and found['ports'] == {}
    assert state(env, OTHER)['dhcp'] == {}


def test_routers_with_gateway_interfaces_floating_ips_and_instances(env):
    api = env.api
    add_agents(env, HOST)
    public, public_subnet = external_network(api)
    net = api.network()
    subnet = api.subnet(net['id'], cidr='10.0.0.0/24')
    r = router(api)
    set_gateway(api, r['id'], public['id'])
    assert add_interface(api, r['id'], subnet_id=subnet['id']).status_code == 200
    api.put(f"/v2.0/routers/{r['id']}", json={'router': {'routes': [
        {'destination': '10.1.0.0/24', 'nexthop': '10.0.0.9'}]}})
    port = instance_port(api, net['id'], 'compute-host')
    fip = api.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id'], 'port_id': port['id']}})
    assert fip.status_code == 201, fip.get_data(as_text=True)
    fip = fip.get_json()['floatingip']
    push(env)

    found = state(env, HOST)
    shown = found['routers'][r['id']]
    assert set(shown) == _keys(rpcapi.RouterState)
    assert (shown['namespace'], shown['enable_snat'], shown['admin_state_up']) == (
        f"qrouter-{r['id']}", True, True)
    gateway = shown['gateway']
    assert (gateway['bridge'], gateway['network_id'], gateway['gateway_ips']) == (
        'brq' + public['id'][:11], public['id'], [public_subnet['gateway_ip']])
    assert gateway['fixed_ips'][0]['prefixlen'] == 24
    assert gateway['fixed_ips'][0]['subnet_id'] == public_subnet['id']
    [interface] = shown['interfaces']
    assert interface['fixed_ips'] == [{'subnet_id': subnet['id'], 'ip_address': '10.0.0.1',
                                       'prefixlen': 24, 'cidr': '10.0.0.0/24'}]
    assert interface['bridge'] == 'brq' + net['id'][:11] and interface['mtu'] == 1450
    assert shown['routes'] == [{'destination': '10.1.0.0/24', 'nexthop': '10.0.0.9'}]
    address = port['fixed_ips'][0]['ip_address']
    assert shown['floating_ips'] == [{'id': fip['id'],
                                      'floating_ip_address': fip['floating_ip_address'],
                                      'fixed_ip_address': address, 'port_id': port['id']}]
    assert shown['instances'] == {address: {'instance_id': 'server-1',
                                            'project_id': port['project_id'],
                                            'port_id': port['id']}}
    assert set(found['networks']) == {public['id'], net['id']}
