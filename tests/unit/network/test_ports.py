"""Ports: MAC addresses, binding, port security, address pairs, security groups."""
import pytest

from common.context import RequestContext


@pytest.fixture
def net(api):
    network = api.network()
    api.subnet(network['id'])
    return network


def test_given_mac_twice_on_a_network_is_409(api, net):
    api.port(net['id'], mac_address='FA:16:3E:00:00:01')
    response = api.post('/v2.0/ports', json={'port': {'network_id': net['id'],
                                                      'mac_address': 'fa:16:3e:00:00:01'}})
    assert response.status_code == 409
    assert response.get_json()['NeutronError']['type'] == 'MacAddressInUse'
    other = api.network()
    assert api.port(other['id'], mac_address='fa:16:3e:00:00:01')['mac_address'] == \
        'fa:16:3e:00:00:01'


@pytest.mark.parametrize('mac', ['01:00:00:00:00:01', 'zz:16:3e:00:00:01', 'fa:16:3e'])
def test_bad_mac_is_400(api, net, mac):
    response = api.post('/v2.0/ports', json={'port': {'network_id': net['id'],
                                                      'mac_address': mac}})
    assert response.status_code == 400


def test_base_mac_prefix(make_env):
    env = make_env(base_mac='fa:16:3f:00:00:00')
    network = env.api.network()
    assert env.api.port(network['id'])['mac_address'].startswith('fa:16:3f:')


def test_binding_is_for_admins_and_services(api, net):
    port = api.port(net['id'], device_id='server-1', device_owner='compute:nova')
    assert port['status'] == 'DOWN' and 'binding:host_id' not in port
    assert port['binding:vnic_type'] == 'normal'
    response = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'binding:host_id': 'h1'}})
    assert response.status_code == 403
    bound = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'binding:host_id': 'h1'}},
                    as_='cloud_admin').get_json()['port']
    # ACTIVE only once the agent of h1 reports it wired (tests/unit/network/conductor).
    assert bound['binding:vif_type'] == 'bridge' and bound['status'] == 'DOWN'
    assert bound['binding:vif_details'] == {'port_filter': True, 'connectivity': 'l2'}
    unbound = api.get(f"/v2.0/ports/{port['id']}", as_='cloud_admin').get_json()['port']
    assert unbound['binding:host_id'] == 'h1'
    cleared = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'binding:host_id': None}},
                      as_='cloud_admin').get_json()['port']
    assert cleared['binding:vif_type'] == 'unbound' and cleared['status'] == 'DOWN'


def test_service_token_may_bind(env, net):
    port = env.api.port(net['id'])
    member_authenticate = env.app.authenticate

    def with_service_token(request):
        # keystonemiddleware puts the roles of a valid X-Service-Token here.
        ctx = member_authenticate(request)
        return RequestContext(user_id=ctx.user_id, project_id=ctx.project_id,
                              roles=ctx.roles, service_roles=['service'])
    env.app.authenticate = with_service_token
    response = env.api.put(f"/v2.0/ports/{port['id']}",
                           json={'port': {'binding:host_id': 'h2'}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()['port']['binding:host_id'] == 'h2'


def test_port_security_follows_the_network(api):
    insecure = api.network(port_security_enabled=False)
    port = api.port(insecure['id'])
    assert port['port_security_enabled'] is False and port['security_groups'] == []
    response = api.post('/v2.0/ports', json={'port': {
        'network_id': insecure['id'], 'allowed_address_pairs': [{'ip_address': '10.0.0.9'}]}})
    assert response.status_code == 409


def test_default_security_group_is_used_and_created_once(api, net):
    first = api.port(net['id'])
    second = api.port(net['id'])
    assert first['security_groups'] == second['security_groups']
    groups = api.get('/v2.0/security-groups?name=default').get_json()['security_groups']
    assert [g['id'] for g in groups] == first['security_groups']


def test_chosen_security_groups_must_be_the_projects(api, net):
    other = api.post('/v2.0/security-groups', json={'security_group': {'name': 'x'}},
                     as_='other_member').get_json()['security_group']
    response = api.post('/v2.0/ports', json={'port': {'network_id': net['id'],
                                                      'security_groups': [other['id']]}})
    assert response.status_code == 404
    mine = api.post('/v2.0/security-groups', json={'security_group': {'name': 'web'}})\
        .get_json()['security_group']
    port = api.port(net['id'], security_groups=[mine['id']])
    assert port['security_groups'] == [mine['id']]
    cleared = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'security_groups': []}})
    assert cleared.get_json()['port']['security_groups'] == []


def test_disabling_port_security_needs_no_groups(api, net):
    port = api.port(net['id'])
    response = api.put(f"/v2.0/ports/{port['id']}",
                       json={'port': {'port_security_enabled': False}})
    assert response.status_code == 400
    response = api.put(f"/v2.0/ports/{port['id']}", json={'port': {
        'port_security_enabled': False, 'security_groups': []}})
    assert response.status_code == 200
    assert response.get_json()['port']['port_security_enabled'] is False


def test_allowed_address_pairs(api, net):
    port = api.port(net['id'], allowed_address_pairs=[
        {'ip_address': '10.0.0.0/28'}, {'ip_address': '10.0.0.77',
                                        'mac_address': 'fa:16:3e:aa:bb:cc'}])
    assert port['allowed_address_pairs'] == [
        {'mac_address': port['mac_address'], 'ip_address': '10.0.0.0/28'},
        {'mac_address': 'fa:16:3e:aa:bb:cc', 'ip_address': '10.0.0.77'}]
    response = api.post('/v2.0/ports', json={'port': {
        'network_id': net['id'], 'allowed_address_pairs': [{'ip_address': 'bad'}]}})
    assert response.status_code == 400


def test_filters_by_device_and_fixed_ip(api, net):
    port = api.port(net['id'], device_id='vm-1')
    api.port(net['id'], device_id='vm-2')
    assert [p['id'] for p in api.get('/v2.0/ports?device_id=vm-1').get_json()['ports']] == [
        port['id']]
    address = port['fixed_ips'][0]['ip_address']
    found = api.get(f'/v2.0/ports?fixed_ips=ip_address%3D{address}').get_json()['ports']
    assert [p['id'] for p in found] == [port['id']]
    group = port['security_groups'][0]
    assert len(api.get(f'/v2.0/ports?security_groups={group}').get_json()['ports']) == 2


def test_port_quota_is_409(make_env):
    env = make_env(quotas__quota_port=1)
    network = env.api.network()
    env.api.port(network['id'])
    response = env.api.post('/v2.0/ports', json={'port': {'network_id': network['id']}})
    assert response.status_code == 409
    assert response.get_json()['NeutronError']['type'] == 'OverQuota'


def test_update_with_only_a_subnet_keeps_the_address_held_there(api, net):
    subnet_id = api.get(f"/v2.0/subnets?network_id={net['id']}").get_json()['subnets'][0]['id']
    port = api.port(net['id'], fixed_ips=[{'ip_address': '10.0.0.20'}])

    def update(fixed_ips):
        response = api.put(f"/v2.0/ports/{port['id']}", json={'port': {'fixed_ips': fixed_ips}})
        assert response.status_code == 200, response.get_json()
        return sorted(f['ip_address'] for f in response.get_json()['port']['fixed_ips'])
    assert update([{'subnet_id': subnet_id}]) == ['10.0.0.20']
    two = update([{'subnet_id': subnet_id}, {'subnet_id': subnet_id}])
    assert '10.0.0.20' in two and len(two) == 2
    assert update([{'ip_address': '10.0.0.20'}]) == ['10.0.0.20']


def test_update_matches_ipv6_addresses_however_spelt(api):
    network = api.network()
    api.subnet(network['id'], cidr='fd00::/64')
    port = api.port(network['id'], fixed_ips=[{'ip_address': 'fd00::ab'}])
    response = api.put(f"/v2.0/ports/{port['id']}",
                       json={'port': {'fixed_ips': [{'ip_address': 'FD00:0::AB'}]}})
    assert response.get_json()['port']['fixed_ips'] == port['fixed_ips']
