"""Ports on a network shared by another project: what only the network's owner may set.

Choosing an address or a MAC, turning port security off, adding allowed
address pairs or claiming a ``network:*`` device owner would let a tenant
take the gateway's address or spoof a neighbour on a network it merely
shares, so policy reserves them to the owner (Neutron's ``network_owner``).
"""
import pytest


@pytest.fixture
def shared(api):
    network = api.network(shared=True, as_='cloud_admin')
    subnet = api.subnet(network['id'], as_='cloud_admin')
    return network, subnet


OWNER_ONLY = [
    {'fixed_ips': [{'ip_address': '10.0.0.1'}]},
    {'fixed_ips': [{'ip_address': '10.0.0.50'}]},
    {'mac_address': 'fa:16:3e:00:00:99'},
    {'port_security_enabled': False},
    {'allowed_address_pairs': [{'ip_address': '10.0.0.0/24'}]},
    {'device_owner': 'network:dhcp'},
]


@pytest.mark.parametrize('attrs', OWNER_ONLY)
def test_another_project_may_not_set_on_create(api, shared, attrs):
    network, _ = shared
    response = api.post('/v2.0/ports', as_='other_member',
                        json={'port': {'network_id': network['id'], **attrs}})
    assert response.status_code == 403, response.get_json()
    assert api.get('/v2.0/ports', as_='cloud_admin').get_json()['ports'] == []


@pytest.mark.parametrize('attrs', [a for a in OWNER_ONLY if 'mac_address' not in a])
def test_another_project_may_not_set_on_update(api, shared, attrs):
    network, _ = shared
    port = api.port(network['id'], as_='other_member')
    response = api.put(f"/v2.0/ports/{port['id']}", as_='other_member', json={'port': attrs})
    assert response.status_code == 403, response.get_json()
    assert api.get(f"/v2.0/ports/{port['id']}", as_='other_member').get_json()['port'] == port


def test_another_project_may_pick_the_subnet(api, shared):
    network, subnet = shared
    port = api.port(network['id'], as_='other_member', device_owner='compute:nova',
                    fixed_ips=[{'subnet_id': subnet['id']}], port_security_enabled=True)
    assert port['fixed_ips'][0]['subnet_id'] == subnet['id']


@pytest.mark.parametrize('attrs', OWNER_ONLY[1:])
def test_owner_and_admin_may(api, attrs):
    own = api.network()
    api.subnet(own['id'])
    assert api.port(own['id'], **attrs)['network_id'] == own['id']
    theirs = api.network(as_='other_member', shared=False)
    api.subnet(theirs['id'], as_='other_member')
    assert api.port(theirs['id'], as_='cloud_admin', **attrs)['network_id'] == theirs['id']
