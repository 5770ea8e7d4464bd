"""Address management edge cases (network.ipam), through the ports API and directly."""
import ipaddress

import sqlalchemy as sa

from network import ipam
from network.db import models as m

ip = ipaddress.ip_address


def test_free_candidates_skip_used_addresses_across_pools():
    pools = [(ip('10.0.0.2'), ip('10.0.0.3')), (ip('10.0.0.10'), ip('10.0.0.12'))]
    assert ipam.free_candidates(pools, {'10.0.0.2', '10.0.0.10'}) == [
        ip('10.0.0.3'), ip('10.0.0.11'), ip('10.0.0.12')]
    assert ipam.free_candidates(pools, set(), window=2) == [ip('10.0.0.2'), ip('10.0.0.3')]
    assert ipam.free_candidates(pools, {'10.0.0.2', '10.0.0.3', '10.0.0.10', '10.0.0.11',
                                        '10.0.0.12'}) == []


def _small_subnet(api, size=3):
    net = api.network()
    subnet = api.subnet(net['id'], '10.0.0.0/24', allocation_pools=[
        {'start': '10.0.0.10', 'end': f'10.0.0.{9 + size}'}])
    return net, subnet


def test_full_subnet_is_409_and_freed_addresses_are_reused(api):
    net, _ = _small_subnet(api, 2)
    first = api.port(net['id'])
    api.port(net['id'])
    full = api.post('/v2.0/ports', json={'port': {'network_id': net['id']}})
    assert full.status_code == 409
    assert full.get_json()['NeutronError']['type'] == 'IpAddressGenerationFailure'
    assert api.delete(f"/v2.0/ports/{first['id']}").status_code == 204
    again = api.port(net['id'])
    assert again['fixed_ips'] == first['fixed_ips']


def test_chosen_address_in_use_is_409(api):
    net, subnet = _small_subnet(api)
    api.port(net['id'], fixed_ips=[{'ip_address': '10.0.0.11'}])
    response = api.post('/v2.0/ports', json={'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': '10.0.0.11'}]}})
    assert response.status_code == 409
    assert response.get_json()['NeutronError']['type'] == 'IpAddressInUse'


def test_chosen_address_may_be_outside_the_pools_but_not_the_subnet(api):
    net, subnet = _small_subnet(api)
    port = api.port(net['id'], fixed_ips=[{'subnet_id': subnet['id'],
                                           'ip_address': '10.0.0.200'}])
    assert port['fixed_ips'] == [{'subnet_id': subnet['id'], 'ip_address': '10.0.0.200'}]
    for address in ('10.0.1.5', '10.0.0.255', '10.0.0.0'):
        response = api.post('/v2.0/ports', json={'port': {
            'network_id': net['id'], 'fixed_ips': [{'ip_address': address}]}})
        assert response.status_code == 400, address


def test_gateway_is_only_for_router_ports(api):
    net, subnet = _small_subnet(api)
    response = api.post('/v2.0/ports', json={'port': {
        'network_id': net['id'], 'fixed_ips': [{'ip_address': '10.0.0.1'}]}})
    assert response.status_code == 409
    router_port = api.port(net['id'], as_='cloud_admin', project_id='project-p',
                           device_owner='network:router_interface',
                           fixed_ips=[{'ip_address': '10.0.0.1'}])
    assert router_port['fixed_ips'][0]['ip_address'] == '10.0.0.1'


def test_subnet_of_another_network_is_400(api):
    net, _ = _small_subnet(api)
    other_net, other_subnet = _small_subnet(api)
    response = api.post('/v2.0/ports', json={'port': {
        'network_id': net['id'], 'fixed_ips': [{'subnet_id': other_subnet['id']}]}})
    assert response.status_code == 400


def test_port_on_network_without_subnet_has_no_address(api):
    port = api.port(api.network()['id'])
    assert port['fixed_ips'] == []


def test_default_allocation_takes_one_ipv4_and_the_slaac_address(api):
    net = api.network()
    v4 = api.subnet(net['id'], '10.0.0.0/24')
    v6 = api.subnet(net['id'], '2001:db8::/64', ipv6_ra_mode='slaac',
                    ipv6_address_mode='slaac')
    port = api.port(net['id'])
    by_subnet = {f['subnet_id']: f['ip_address'] for f in port['fixed_ips']}
    assert set(by_subnet) == {v4['id'], v6['id']}
    mac = port['mac_address'].split(':')
    expected = ipaddress.ip_address(
        '2001:db8::' + f"{int(mac[0], 16) ^ 2:02x}{mac[1]}:{mac[2]}ff:fe{mac[3]}:{mac[4]}{mac[5]}")
    assert ipaddress.ip_address(by_subnet[v6['id']]) == expected


def test_second_ipv4_subnet_is_used_when_the_first_is_full(api):
    net = api.network()
    api.subnet(net['id'], '10.0.0.0/24', allocation_pools=[{'start': '10.0.0.10',
                                                            'end': '10.0.0.10'}])
    second = api.subnet(net['id'], '10.0.1.0/24')
    api.port(net['id'])
    port = api.port(net['id'])
    assert port['fixed_ips'][0]['subnet_id'] == second['id']


def test_update_fixed_ips_keeps_frees_and_adds(env, api):
    net, subnet = _small_subnet(api, 5)
    port = api.port(net['id'], fixed_ips=[{'ip_address': '10.0.0.10'},
                                          {'ip_address': '10.0.0.11'}])
    response = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'fixed_ips': [
        {'ip_address': '10.0.0.11'}, {'subnet_id': subnet['id'], 'ip_address': '10.0.0.14'}]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [f['ip_address'] for f in response.get_json()['port']['fixed_ips']] == [
        '10.0.0.11', '10.0.0.14']
    with env.db.reader() as session:
        stored = sorted(session.execute(sa.select(m.IPAllocation.ip_address)).scalars())
    assert stored == ['10.0.0.11', '10.0.0.14']


def test_addresses_are_freed_when_the_port_goes(env, api):
    net, _ = _small_subnet(api)
    port = api.port(net['id'])
    api.delete(f"/v2.0/ports/{port['id']}")
    with env.db.reader() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(m.IPAllocation))\
            .scalar() == 0
