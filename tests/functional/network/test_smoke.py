"""The network API as a real process: discovery, catalog, a network with a subnet and a port."""
import requests


def test_version_discovery_is_public(network):
    body = requests.get(network.url + '/', timeout=10).json()
    assert body['versions'][0]['id'] == 'v2.0'
    assert body['versions'][0]['status'] == 'CURRENT'


def test_registered_in_the_catalog(network, admin):
    services = admin.get('/v3/services?type=network').json()['services']
    assert [s['name'] for s in services] == ['neutron']
    endpoints = admin.get(f"/v3/endpoints?service_id={services[0]['id']}").json()['endpoints']
    assert {(e['interface'], e['url']) for e in endpoints} == {
        ('public', network.url), ('internal', network.url)}


def test_metrics_are_public(network):
    response = requests.get(network.url + '/metrics', timeout=10)
    assert response.status_code == 200 and 'text/plain' in response.headers['Content-Type']


def test_unauthenticated_is_401_in_neutron_dialect(network):
    response = requests.get(network.url + '/v2.0/networks', timeout=10)
    assert response.status_code == 401
    assert 'NeutronError' in response.json()


def test_network_subnet_port(network, project):
    client = network.client(project.token)
    net = client.post('/v2.0/networks', json={'network': {'name': 'n'}}).json()['network']
    subnet = client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': '10.1.0.0/24', 'ip_version': 4}})
    assert subnet.status_code == 201, subnet.text
    port = client.post('/v2.0/ports', json={'port': {'network_id': net['id']}})
    assert port.status_code == 201, port.text
    assert port.json()['port']['fixed_ips'][0]['ip_address'].startswith('10.1.0.')
    assert client.delete(f"/v2.0/networks/{net['id']}").status_code == 409
    assert client.delete(f"/v2.0/ports/{port.json()['port']['id']}").status_code == 204
    assert client.delete(f"/v2.0/networks/{net['id']}").status_code == 204
