"""Subnets through the API: defaults, validation, overlaps, IPv6, deletes."""
import ipaddress



def test_defaults(api):
    net = api.network()
    subnet = api.subnet(net['id'], '192.168.5.0/24')
    assert subnet['enable_dhcp'] is True and subnet['dns_nameservers'] == []
    assert subnet['host_routes'] == [] and subnet['ip_version'] == 4
    assert subnet['project_id'] == subnet['tenant_id'] == 'project-p'


def test_null_gateway(api):
    net = api.network()
    subnet = api.subnet(net['id'], '192.168.5.0/24', gateway_ip=None)
    assert subnet['gateway_ip'] is None
    assert subnet['allocation_pools'] == [{'start': '192.168.5.1', 'end': '192.168.5.254'}]


def test_overlap_on_the_same_network_is_400_with_neutrons_words(api):
    net = api.network()
    api.subnet(net['id'], '10.0.0.0/24')
    response = api.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.128/25', 'ip_version': 4}})
    assert response.status_code == 400
    assert 'overlaps with another subnet' in response.get_json()['NeutronError']['message']
    other = api.network()
    api.subnet(other['id'], '10.0.0.0/24')  # another network may reuse it


def test_bad_values_are_400(api):
    net = api.network()
    for attrs in ({'cidr': '10.0.0.1/24'}, {'cidr': 'x'}, {'cidr': '10.0.0.0/24',
                                                             'ip_version': 6},
                  {'cidr': '10.0.0.0/24', 'gateway_ip': '10.1.0.1'},
                  {'cidr': '10.0.0.0/24', 'ipv6_ra_mode': 'slaac'},
                  {'cidr': '10.0.0.0/24', 'dns_nameservers': ['bad']},
                  {'cidr': '10.0.0.0/24', 'allocation_pools': [{'start': '10.0.0.5',
                                                                'end': '10.0.1.5'}]},
                  {}):
        body = {'network_id': net['id'], 'ip_version': 4, **attrs}
        response = api.post('/v2.0/subnets', json={'subnet': body})
        assert response.status_code == 400, attrs


def test_pool_with_gateway_is_409(api):
    net = api.network()
    response = api.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4,
        'allocation_pools': [{'start': '10.0.0.1', 'end': '10.0.0.9'}]}})
    assert response.status_code == 409


def test_ipv6_subnet(api):
    net = api.network()
    subnet = api.subnet(net['id'], '2001:db8:1::/64', ipv6_ra_mode='dhcpv6-stateful',
                        ipv6_address_mode='dhcpv6-stateful')
    assert subnet['gateway_ip'] == '2001:db8:1::1'
    assert subnet['allocation_pools'] == [{'start': '2001:db8:1::2',
                                           'end': '2001:db8:1:0:ffff:ffff:ffff:ffff'}]
    port = api.port(net['id'])
    address = ipaddress.ip_address(port['fixed_ips'][0]['ip_address'])
    assert address in ipaddress.ip_network('2001:db8:1::/64') and address.version == 6


def test_subnet_on_another_projects_network_is_404(api):
    other = api.network(as_='other_member')
    response = api.post('/v2.0/subnets', json={'subnet': {
        'network_id': other['id'], 'cidr': '10.0.0.0/24', 'ip_version': 4}})
    assert response.status_code == 404


def test_update(api):
    net = api.network()
    subnet = api.subnet(net['id'])
    response = api.put(f"/v2.0/subnets/{subnet['id']}", json={'subnet': {
        'name': 'renamed', 'dns_nameservers': ['1.1.1.1'], 'enable_dhcp': False,
        'allocation_pools': [{'start': '10.0.0.100', 'end': '10.0.0.200'}]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()['subnet']
    assert body['name'] == 'renamed' and body['dns_nameservers'] == ['1.1.1.1']
    assert body['allocation_pools'] == [{'start': '10.0.0.100', 'end': '10.0.0.200'}]
    assert api.put(f"/v2.0/subnets/{subnet['id']}", json={'subnet': {'cidr': '10.0.0.0/25'}})\
        .status_code == 400


def test_delete_in_use_is_409_except_dhcp_ports(api):
    net = api.network()
    subnet = api.subnet(net['id'])
    port = api.port(net['id'])
    router_port = api.port(net['id'], as_='cloud_admin', project_id='project-p',
                           device_owner='network:router_interface')
    api.port(net['id'], as_='cloud_admin', project_id='project-p', device_owner='network:dhcp')
    for blocker in (port, router_port):
        response = api.delete(f"/v2.0/subnets/{subnet['id']}")
        assert response.status_code == 409
        assert response.get_json()['NeutronError']['type'] == 'SubnetInUse'
        api.delete(f"/v2.0/ports/{blocker['id']}", as_='cloud_admin')
    assert api.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 204
    assert api.get('/v2.0/ports', as_='cloud_admin').get_json()['ports'] == []


def test_network_revision_moves_when_a_subnet_goes(api):
    network = api.network()
    subnet = api.subnet(network['id'])
    before = api.get(f"/v2.0/networks/{network['id']}").get_json()['network']
    assert api.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 204
    after = api.get(f"/v2.0/networks/{network['id']}").get_json()['network']
    assert after['revision_number'] == before['revision_number'] + 1
