"""Bad input gets a 4xx with a Neutron fault body, never a 500, and changes nothing."""
import pytest


@pytest.fixture
def net(api):
    network = api.network()
    return network, api.subnet(network['id']), api.subnet(network['id'], cidr='fd00::/64')


def _refused(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.get_json()['NeutronError']['type']
    return response.get_json()['NeutronError']


@pytest.mark.parametrize('query', [
    'networks?mtu=99999999999999999999', 'subnets?ip_version=-99999999999999999999',
    'security-group-rules?port_range_min=2147483648', 'networks?created_at=yesterday',
    'ports?updated_at=2026-13-01T00:00:00Z', 'networks?revision_number=1.5',
])
def test_unusable_filter_values_are_400(api, net, query):
    _refused(api.get(f'/v2.0/{query}'))


@pytest.mark.parametrize('moment', ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00%2B02:00',
                                    '2026-01-01 00:00:00'])
def test_timestamp_filters_accept_iso_times(api, net, moment):
    assert api.get(f'/v2.0/networks?created_at={moment}').get_json()['networks'] == []


@pytest.mark.parametrize('fixed_ip', [
    {'ip_address': 'garbage'}, {'ip_address': '10.0.0.52%eth0'},
    {'ip_address': 'fd00::52%eth0'}, {'ip_address': '10.0.0.0'}, {'ip_address': '10.0.0.255'},
    {'ip_address': 'fd00::'}, {'ip_address': '10.9.9.9'}, {},
])
def test_bad_fixed_ips_are_400_and_leave_nothing(api, net, fixed_ip):
    network, subnet, _ = net
    _refused(api.post('/v2.0/ports', json={'port': {'network_id': network['id'],
                                                    'fixed_ips': [fixed_ip]}}))
    assert api.get('/v2.0/ports').get_json()['ports'] == []


def test_duplicate_fixed_ip_is_400(api, net):
    network = net[0]
    fault = _refused(api.post('/v2.0/ports', json={'port': {
        'network_id': network['id'],
        'fixed_ips': [{'ip_address': '10.0.0.50'}, {'ip_address': '10.0.0.50'}]}}))
    assert 'Duplicate' in fault['message']


def test_bad_fixed_ip_on_update_keeps_the_old_ones(api, net):
    network = net[0]
    port = api.port(network['id'], fixed_ips=[{'ip_address': '10.0.0.20'}])
    _refused(api.put(f"/v2.0/ports/{port['id']}",
                     json={'port': {'fixed_ips': [{'ip_address': 'bogus'}]}}))
    after = api.get(f"/v2.0/ports/{port['id']}").get_json()['port']
    assert after['fixed_ips'] == port['fixed_ips']
    assert after['revision_number'] == port['revision_number']


@pytest.mark.parametrize('attrs', [
    {'cidr': '10.1.0.0/31'}, {'cidr': '224.0.0.0/24'}, {'cidr': '127.0.0.0/24'},
    {'cidr': 'fe80::/64', 'ip_version': 6}, {'cidr': 'fd01::%eth0/64', 'ip_version': 6},
    {'cidr': 'fd02::/64', 'ip_version': 6, 'gateway_ip': 'fd02::'},
    {'cidr': 'fd03::/120', 'ip_version': 6, 'ipv6_address_mode': 'slaac',
     'ipv6_ra_mode': 'slaac'},
])
def test_subnets_neutron_refuses_are_400(api, net, attrs):
    network = net[0]
    _refused(api.post('/v2.0/subnets', json={'subnet': {'network_id': network['id'],
                                                        'ip_version': 4, **attrs}}))


def test_small_subnet_without_dhcp_is_fine(api, net):
    subnet = api.subnet(net[0]['id'], cidr='10.1.0.0/31', enable_dhcp=False)
    assert subnet['enable_dhcp'] is False
    _refused(api.put(f"/v2.0/subnets/{subnet['id']}", json={'subnet': {'enable_dhcp': True}}))


def test_empty_allocation_pools_mean_none(api, net):
    subnet = api.subnet(net[0]['id'], cidr='10.2.0.0/24', allocation_pools=[])
    assert subnet['allocation_pools'] == []
    port = api.port(net[0]['id'], fixed_ips=[{'ip_address': '10.2.0.9'}])
    assert port['fixed_ips'] == [{'subnet_id': subnet['id'], 'ip_address': '10.2.0.9'}]
    _refused(api.post('/v2.0/ports', json={'port': {
        'network_id': net[0]['id'], 'fixed_ips': [{'subnet_id': subnet['id']}]}}), 409)


def test_router_may_hold_the_ipv6_subnet_router_address(api, net):
    network, _, subnet6 = net
    port = api.port(network['id'], device_owner='network:router_interface',
                    fixed_ips=[{'subnet_id': subnet6['id'], 'ip_address': 'fd00::'}])
    assert port['fixed_ips'][0]['ip_address'] == 'fd00::'


@pytest.mark.parametrize('limit', [2 ** 31, 10 ** 20, -2, 'x'])
def test_quota_limits_beyond_a_database_integer_are_400(api, limit):
    _refused(api.put('/v2.0/quotas/project-p', as_='cloud_admin',
                     json={'quota': {'port': limit}}))


def test_project_and_tenant_must_agree(api):
    _refused(api.post('/v2.0/networks', as_='cloud_admin', json={'network': {
        'project_id': 'project-p', 'tenant_id': 'project-q'}}))
    created = api.network(as_='cloud_admin', tenant_id='project-q')
    assert created['project_id'] == created['tenant_id'] == 'project-q'


def test_hidden_attributes_do_not_sort(api, net):
    _refused(api.get('/v2.0/networks?sort_key=provider:segmentation_id'))
    _refused(api.get('/v2.0/ports?sort_key=binding:host_id'))
    assert api.get('/v2.0/networks?sort_key=provider:segmentation_id',
                   as_='cloud_admin').status_code == 200



@pytest.mark.parametrize('method, path, body', [
    ('GET', '/v2.0/networks?name=a%00b', None),
    ('GET', '/v2.0/ports/%00', None),
    ('GET', '/v2.0/subnets?id=x&fields=%00', None),
    ('POST', '/v2.0/networks', {'network': {'name': 'a\u0000b'}}),
    ('POST', '/v2.0/security-groups', {'security_group': {'description': '\u0000'}}),
    ('PUT', '/v2.0/quotas/project-p', {'quota': {'port\u0000': 1}}),
])
def test_nul_characters_are_400(api, method, path, body):
    # PostgreSQL's driver raises on them: they must never reach a query.
    fault = _refused(api.request(method, path, json=body, as_='cloud_admin'))
    assert 'Null character' in fault['message']
