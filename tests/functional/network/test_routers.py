"""Routers through the real API with real tokens, on every database backend."""
import concurrent.futures

from tests.functional.network.l3 import external_network, routed_project, unique_cidr


def test_router_lifecycle(network, admin, project):
    admin_client, client = network.client(admin.token), network.client(project.token)
    public, public_subnet = external_network(admin_client)
    net, subnet, router, info = routed_project(client, public['id'])
    assert info['subnet_ids'] == [subnet['id']] and info['network_id'] == net['id']
    gateway = router['external_gateway_info']
    assert gateway['network_id'] == public['id'] and gateway['enable_snat'] is True
    assert gateway['external_fixed_ips'][0]['subnet_id'] == public_subnet['id']
    interface = client.get(f"/v2.0/ports/{info['port_id']}").json()['port']
    assert interface['fixed_ips'][0]['ip_address'] == subnet['gateway_ip']
    in_use = client.delete(f"/v2.0/routers/{router['id']}")
    assert in_use.status_code == 409
    assert in_use.json()['NeutronError']['type'] == 'RouterInUse'
    assert client.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 409
    removed = client.put(f"/v2.0/routers/{router['id']}/remove_router_interface",
                         json={'subnet_id': subnet['id']})
    assert removed.status_code == 200, removed.text
    assert client.delete(f"/v2.0/routers/{router['id']}").status_code == 204
    gateways = admin_client.get('/v2.0/ports', params={
        'device_id': router['id']}).json()['ports']
    assert gateways == []
    assert client.delete(f"/v2.0/networks/{net['id']}").status_code == 204
    assert admin_client.delete(f"/v2.0/networks/{public['id']}").status_code == 204


def test_gateway_on_a_private_network_is_400(network, project):
    client = network.client(project.token)
    net = client.post('/v2.0/networks', json={'network': {'name': 'n'}}).json()['network']
    response = client.post('/v2.0/routers', json={'router': {
        'name': 'r', 'external_gateway_info': {'network_id': net['id']}}})
    assert response.status_code == 400
    assert 'NeutronError' in response.json()
    assert client.get('/v2.0/routers', params={'name': 'r'}).json()['routers'] == []


def test_routers_of_another_project_are_invisible_and_untouchable(network, admin,
                                                                    make_account):
    admin_client = network.client(admin.token)
    a = network.client(make_account(roles=('member', 'reader')).token)
    b = network.client(make_account(roles=('member', 'reader')).token)
    public, _ = external_network(admin_client)
    net, subnet, router, _ = routed_project(a, public['id'])
    url = f"/v2.0/routers/{router['id']}"
    assert b.get(url).status_code == 404
    assert router['id'] not in {r['id'] for r in b.get('/v2.0/routers').json()['routers']}
    assert b.put(url, json={'router': {'name': 'stolen'}}).status_code == 404
    assert b.delete(url).status_code == 404
    assert b.put(f'{url}/remove_router_interface',
                 json={'subnet_id': subnet['id']}).status_code == 404
    own = b.post('/v2.0/routers', json={'router': {'name': 'b'}}).json()['router']
    stolen = b.put(f"/v2.0/routers/{own['id']}/add_router_interface",
                   json={'subnet_id': subnet['id']})
    assert stolen.status_code == 404
    assert stolen.json()['NeutronError']['type'] == 'SubnetNotFound'
    assert a.get(url).json()['router']['name'] == 'r'
    assert admin_client.get(url).status_code == 200


def test_concurrent_interfaces_on_one_subnet_give_its_gateway_to_one_router(network, project):
    client = network.client(project.token)
    net = client.post('/v2.0/networks', json={'network': {'name': 'n'}}).json()['network']
    subnet = client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': unique_cidr(), 'ip_version': 4}}).json()['subnet']
    routers = [client.post('/v2.0/routers', json={'router': {'name': f'r{i}'}}).json()['router']
               for i in range(6)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(
            lambda r: client.put(f"/v2.0/routers/{r['id']}/add_router_interface",
                                 json={'subnet_id': subnet['id']}), routers))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 5, [r.text for r in responses]
    interfaces = client.get('/v2.0/ports', params={
        'device_owner': 'network:router_interface', 'network_id': net['id']}).json()['ports']
    assert len(interfaces) == 1
    assert interfaces[0]['fixed_ips'][0]['ip_address'] == subnet['gateway_ip']
