"""Version discovery, the resource index, extensions, operational routes."""


def test_root_is_public(env):
    body = env.app.test_client().get('/').get_json()
    assert body['versions'][0]['id'] == 'v2.0'
    assert body['versions'][0]['status'] == 'CURRENT'
    assert body['versions'][0]['links'][0]['href'].endswith('/v2.0/')


def test_resource_index(api):
    names = {r['name'] for r in api.get('/v2.0/').get_json()['resources']}
    assert {'network', 'subnet', 'port', 'security_group'} <= names


def test_extensions_list_and_show_match(api):
    extensions = api.get('/v2.0/extensions').get_json()['extensions']
    aliases = {e['alias'] for e in extensions}
    assert {'external-net', 'provider', 'binding', 'port-security', 'allowed-address-pairs',
            'security-group', 'quotas', 'agent', 'availability_zone', 'net-mtu',
            'network-ip-availability', 'project-id'} <= aliases
    assert 'subnet_allocation' not in aliases
    for extension in extensions:
        shown = api.get(f"/v2.0/extensions/{extension['alias']}").get_json()['extension']
        assert shown == extension
    missing = api.get('/v2.0/extensions/external-gateway-multihoming')
    assert missing.status_code == 404
    assert missing.get_json()['NeutronError']['type'] == 'ExtensionNotFound'


def test_unauthenticated_requests_are_401_in_neutrons_dialect(env):
    response = env.app.test_client().get('/v2.0/networks')
    assert response.status_code == 401
    assert set(response.get_json()['NeutronError']) == {'type', 'message', 'detail'}


def test_unknown_route_is_404_json(api):
    response = api.get('/v2.0/nothing-here')
    assert response.status_code == 404 and 'NeutronError' in response.get_json()


def test_healthz(env):
    assert env.app.test_client().get('/healthz').get_json() == {'status': 'ok'}


def test_ip_availability(api):
    net = api.network()
    subnet = api.subnet(net['id'], '10.0.0.0/28')
    api.port(net['id'])
    assert api.get('/v2.0/network-ip-availabilities').status_code == 403
    body = api.get(f"/v2.0/network-ip-availabilities/{net['id']}", as_='cloud_admin')\
        .get_json()['network_ip_availability']
    assert body['total_ips'] == 13 and body['used_ips'] == 1
    assert body['subnet_ip_availability'][0]['subnet_id'] == subnet['id']
    listed = api.get('/v2.0/network-ip-availabilities?ip_version=4', as_='cloud_admin')
    assert len(listed.get_json()['network_ip_availabilities']) == 1
