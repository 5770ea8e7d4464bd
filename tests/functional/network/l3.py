"""Topologies the router and floating IP functional tests build through the real API."""
import itertools

_octets = itertools.count(10)


def unique_cidr():
    """A /24 no other topology of this test session uses (the server is shared)."""
    n = next(_octets)
    return f'10.{200 + n // 250}.{n % 250}.0/24'


def external_network(admin_client, cidr='172.24.4.0/24', **subnet_attrs):
    network = admin_client.post('/v2.0/networks', json={'network': {
        'name': 'public', 'router:external': True}})
    assert network.status_code == 201, network.text
    network = network.json()['network']
    subnet = admin_client.post('/v2.0/subnets', json={'subnet': {
        'network_id': network['id'], 'cidr': cidr, 'ip_version': 4, **subnet_attrs}})
    assert subnet.status_code == 201, subnet.text
    return network, subnet.json()['subnet']


def routed_project(client, public_id):
    """A network, subnet and router with a gateway on ``public_id`` and an interface."""
    net = client.post('/v2.0/networks', json={'network': {'name': 'private'}}).json()['network']
    subnet = client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': unique_cidr(), 'ip_version': 4}}).json()['subnet']
    router = client.post('/v2.0/routers', json={'router': {
        'name': 'r', 'external_gateway_info': {'network_id': public_id}}})
    assert router.status_code == 201, router.text
    router = router.json()['router']
    added = client.put(f"/v2.0/routers/{router['id']}/add_router_interface",
                       json={'subnet_id': subnet['id']})
    assert added.status_code == 200, added.text
    return net, subnet, router, added.json()
