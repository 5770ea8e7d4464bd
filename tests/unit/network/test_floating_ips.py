"""Floating IPs: allocation, association through a router, disassociation, release."""
import pytest

from network.db import models as m
from tests.unit.network.l3_fixtures import (add_interface, delete_on_lock, external_network,
                                            fault, remove_interface, router, set_gateway)


@pytest.fixture
def public(api):
    return external_network(api)


@pytest.fixture
def topology(api, public):
    """P's network and subnet joined to the public network by P's router, and a server port."""
    network, subnet = public
    private = api.network(name='private')
    private_subnet = api.subnet(private['id'], cidr='10.0.0.0/24')
    r = router(api)
    set_gateway(api, r['id'], network['id'])
    add_interface(api, r['id'], subnet_id=private_subnet['id'])
    port = api.port(private['id'], device_id='server-1', device_owner='compute:nova')
    return {'public': network, 'public_subnet': subnet, 'private': private,
            'subnet': private_subnet, 'router': r, 'port': port}


def _create(api, network_id, as_='member', **attrs):
    return api.post('/v2.0/floatingips', as_=as_, json={'floatingip': {
        'floating_network_id': network_id, **attrs}})


def _fip(api, network_id, **attrs):
    response = _create(api, network_id, **attrs)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()['floatingip']


def _set_port(api, fip_id, port_id, **attrs):
    return api.put(f'/v2.0/floatingips/{fip_id}',
                   json={'floatingip': {'port_id': port_id, **attrs}})


def test_allocate_show_list_release(api, public):
    network, subnet = public
    fip = _fip(api, network['id'], description='web')
    assert fip['floating_network_id'] == network['id'] and fip['status'] == 'DOWN'
    assert fip['floating_ip_address'].startswith('172.24.4.')
    assert fip['port_id'] is None and fip['fixed_ip_address'] is None
    assert fip['router_id'] is None and fip['port_details'] is None
    assert fip['project_id'] == 'project-p' and fip['description'] == 'web'
    assert 'name' not in fip
    [holder] = api.get('/v2.0/ports?device_owner=network:floatingip',
                       as_='cloud_admin').get_json()['ports']
    assert holder['device_id'] == fip['id'] and holder['project_id'] == ''
    assert holder['fixed_ips'] == [{'subnet_id': subnet['id'],
                                    'ip_address': fip['floating_ip_address']}]
    listed = api.get(f"/v2.0/floatingips?floating_ip_address={fip['floating_ip_address']}")
    assert [f['id'] for f in listed.get_json()['floatingips']] == [fip['id']]
    response = api.delete(f"/v2.0/ports/{holder['id']}", as_='cloud_admin')
    assert response.status_code == 409
    assert api.delete(f"/v2.0/floatingips/{fip['id']}").status_code == 204
    assert api.get(f"/v2.0/floatingips/{fip['id']}").status_code == 404
    assert api.get('/v2.0/ports?device_owner=network:floatingip',
                   as_='cloud_admin').get_json()['ports'] == []


def test_allocation_needs_an_external_network_with_ipv4(api):
    private = api.network()
    api.subnet(private['id'])
    response = _create(api, private['id'])
    assert response.status_code == 400
    assert _create(api, 'no-such-network').status_code == 404
    v6_only = api.network(as_='cloud_admin', **{'router:external': True})
    api.subnet(v6_only['id'], cidr='2001:db8::/64', as_='cloud_admin')
    assert _create(api, v6_only['id']).status_code == 400


def test_chosen_address_is_admins_and_never_given_twice(api, public):
    network, _ = public
    assert _create(api, network['id'], floating_ip_address='172.24.4.99').status_code == 403
    chosen = _create(api, network['id'], as_='cloud_admin', project_id='project-p',
                     floating_ip_address='172.24.4.99')
    assert chosen.status_code == 201
    assert chosen.get_json()['floatingip']['floating_ip_address'] == '172.24.4.99'
    again = _create(api, network['id'], as_='cloud_admin', floating_ip_address='172.24.4.99')
    assert again.status_code == 409 and fault(again) == 'IpAddressInUse'
    outside = _create(api, network['id'], as_='cloud_admin', floating_ip_address='10.1.1.1')
    assert outside.status_code == 400


def test_exhausted_network_is_409(api):
    network, _ = external_network(api, cidr='172.24.5.0/29',
                                  allocation_pools=[{'start': '172.24.5.2',
                                                     'end': '172.24.5.3'}])
    addresses = {_fip(api, network['id'])['floating_ip_address'] for _ in range(2)}
    assert addresses == {'172.24.5.2', '172.24.5.3'}
    response = _create(api, network['id'])
    assert response.status_code == 409 and fault(response) == 'IpAddressGenerationFailure'
    assert len(api.get('/v2.0/floatingips').get_json()['floatingips']) == 2


def test_associate_and_disassociate(api, topology):
    fip = _fip(api, topology['public']['id'])
    port = topology['port']
    response = _set_port(api, fip['id'], port['id'])
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()['floatingip']
    assert shown['port_id'] == port['id'] and shown['status'] == 'ACTIVE'
    assert shown['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    assert shown['router_id'] == topology['router']['id']
    assert shown['port_details'] == {
        'name': port['name'], 'network_id': port['network_id'],
        'mac_address': port['mac_address'], 'admin_state_up': True, 'status': 'DOWN',
        'device_id': 'server-1', 'device_owner': 'compute:nova'}
    by_port = api.get(f"/v2.0/floatingips?port_id={port['id']}").get_json()['floatingips']
    assert [f['id'] for f in by_port] == [fip['id']]
    cleared = _set_port(api, fip['id'], None).get_json()['floatingip']
    assert cleared['port_id'] is None and cleared['router_id'] is None
    assert cleared['fixed_ip_address'] is None and cleared['status'] == 'DOWN'


def test_associate_on_create(api, topology):
    fip = _fip(api, topology['public']['id'], port_id=topology['port']['id'])
    assert fip['status'] == 'ACTIVE' and fip['router_id'] == topology['router']['id']


def test_one_floating_ip_per_fixed_address(api, topology):
    first = _fip(api, topology['public']['id'], port_id=topology['port']['id'])
    second = _fip(api, topology['public']['id'])
    response = _set_port(api, second['id'], topology['port']['id'])
    assert response.status_code == 409 and fault(response) == 'FloatingIPPortAlreadyAssociated'
    # Re-pointing the same floating IP at its own port is no conflict.
    assert _set_port(api, first['id'], topology['port']['id']).status_code == 200


def test_unreachable_port_is_404(api, topology):
    elsewhere = api.network()
    api.subnet(elsewhere['id'], cidr='10.5.0.0/24')
    port = api.port(elsewhere['id'])
    fip = _fip(api, topology['public']['id'])
    response = _set_port(api, fip['id'], port['id'])
    assert response.status_code == 404
    assert fault(response) == 'ExternalGatewayForFloatingIPNotFound'
    assert 'is not reachable from subnet' in response.get_json()['NeutronError']['message']


def test_port_must_have_the_fixed_address(api, topology):
    fip = _fip(api, topology['public']['id'])
    response = _set_port(api, fip['id'], topology['port']['id'], fixed_ip_address='10.0.0.77')
    assert response.status_code == 400
    no_address_net = api.network()
    bare = api.port(no_address_net['id'])
    assert _set_port(api, fip['id'], bare['id']).status_code == 400
    assert _set_port(api, fip['id'], 'no-such-port').status_code == 404


def test_router_keeps_what_floating_ips_need(api, topology):
    fip = _fip(api, topology['public']['id'], port_id=topology['port']['id'])
    r = topology['router']
    response = remove_interface(api, r['id'], subnet_id=topology['subnet']['id'])
    assert response.status_code == 409 and fault(response) == 'RouterInterfaceInUseByFloatingIP'
    response = api.put(f"/v2.0/routers/{r['id']}", json={'router': {
        'external_gateway_info': {}}})
    assert response.status_code == 409
    assert fault(response) == 'RouterExternalGatewayInUseByFloatingIp'
    _set_port(api, fip['id'], None)
    assert remove_interface(api, r['id'], subnet_id=topology['subnet']['id'])\
        .status_code == 200


def test_deleting_the_port_disassociates(api, topology):
    fip = _fip(api, topology['public']['id'], port_id=topology['port']['id'])
    assert api.delete(f"/v2.0/ports/{topology['port']['id']}").status_code == 204
    shown = api.get(f"/v2.0/floatingips/{fip['id']}").get_json()['floatingip']
    assert shown['port_id'] is None and shown['status'] == 'DOWN'
    assert shown['router_id'] is None and shown['fixed_ip_address'] is None


def test_floating_ip_quota(make_env):
    env = make_env(quotas__quota_floatingip=1)
    network, _ = external_network(env.api)
    _fip(env.api, network['id'])
    response = _create(env.api, network['id'])
    assert response.status_code == 409 and fault(response) == 'OverQuota'


def test_dropping_an_address_with_a_floating_ip_is_409(api, topology):
    fip = _fip(api, topology['public']['id'], port_id=topology['port']['id'])
    port_path = f"/v2.0/ports/{topology['port']['id']}"
    held = topology['port']['fixed_ips'][0]
    response = api.put(port_path, json={'port': {'fixed_ips': [
        {'subnet_id': topology['subnet']['id'], 'ip_address': '10.0.0.200'}]}})
    assert response.status_code == 409 and fault(response) == 'FixedIpInUseByFloatingIP'
    assert fip['id'] in response.get_json()['NeutronError']['message']
    assert api.get(port_path).get_json()['port']['fixed_ips'] == [held]
    # Keeping the address while adding another is no conflict.
    response = api.put(port_path, json={'port': {'fixed_ips': [
        held, {'subnet_id': topology['subnet']['id'], 'ip_address': '10.0.0.200'}]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = api.get(f"/v2.0/floatingips/{fip['id']}").get_json()['floatingip']
    assert shown['fixed_ip_address'] == held['ip_address']


def test_port_deleted_while_associating_is_404(api, topology, monkeypatch):
    fip = _fip(api, topology['public']['id'])
    delete_on_lock(monkeypatch, m.Port, topology['port']['id'], before=True)
    response = _set_port(api, fip['id'], topology['port']['id'])
    assert response.status_code == 404 and fault(response) == 'PortNotFound'
    assert api.get(f"/v2.0/floatingips/{fip['id']}").get_json()['floatingip']['port_id'] is None


def test_router_deleted_while_associating_is_404(api, topology, monkeypatch):
    """The router goes between the lookup and the update: the foreign key fails."""
    fip = _fip(api, topology['public']['id'])
    delete_on_lock(monkeypatch, m.Router, topology['router']['id'])
    response = _set_port(api, fip['id'], topology['port']['id'])
    assert response.status_code == 404, response.get_data(as_text=True)
    assert fault(response) == 'ExternalGatewayForFloatingIPNotFound'
    assert api.get(f"/v2.0/floatingips/{fip['id']}").get_json()['floatingip']['port_id'] is None
