"""One pass through networks, subnets and ports, to see the pieces fit."""


def test_network_subnet_port(api):
    net = api.network(name='n1')
    assert net['status'] == 'ACTIVE' and net['mtu'] == 1450 and net['subnets'] == []
    assert 'provider:network_type' not in net
    subnet = api.subnet(net['id'], '10.0.0.0/24')
    assert subnet['gateway_ip'] == '10.0.0.1'
    assert subnet['allocation_pools'] == [{'start': '10.0.0.2', 'end': '10.0.0.254'}]
    port = api.port(net['id'])
    assert port['fixed_ips'][0]['subnet_id'] == subnet['id']
    assert port['mac_address'].startswith('fa:16:3e:')
    assert len(port['security_groups']) == 1
    listed = api.get('/v2.0/ports').get_json()['ports']
    assert [p['id'] for p in listed] == [port['id']]
    assert api.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    assert api.delete(f"/v2.0/networks/{net['id']}").status_code == 204
