"""IPAM under concurrent port creation: no address is ever handed out twice.

Runs on each database backend (the ``network`` fixture follows the
session's ``database_backend``): 200 ports created at once on a /24 get
200 distinct addresses; creating more ports at once than a pool holds
gives the surplus a clean 409, never a 500; the database then holds
exactly the addresses the API answered with.
"""
import concurrent.futures

import sqlalchemy as sa


def _create_ports(client, network_id, count, subnet_id=None):
    body = {'port': {'network_id': network_id}}
    if subnet_id is not None:
        body['port']['fixed_ips'] = [{'subnet_id': subnet_id}]
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda _: client.post('/v2.0/ports', json=body), range(count)))


def _allocations(network, subnet_id):
    engine = sa.create_engine(network.database_url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(sa.text(
                'SELECT ip_address FROM ip_allocations WHERE subnet_id = :s'),
                {'s': subnet_id})]
    finally:
        engine.dispose()


def _setup(network, admin_token, cidr, **subnet_attrs):
    client = network.client(admin_token)
    net = client.post('/v2.0/networks', json={'network': {'name': 'concurrency'}})
    assert net.status_code == 201, net.text
    net_id = net.json()['network']['id']
    subnet = client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net_id, 'cidr': cidr, 'ip_version': 4, **subnet_attrs}})
    assert subnet.status_code == 201, subnet.text
    return client, net_id, subnet.json()['subnet']['id']


def test_200_parallel_ports_get_distinct_addresses(network, admin):
    client, net_id, subnet_id = _setup(network, admin.token, '10.20.0.0/24')
    responses = _create_ports(client, net_id, 200)
    assert [r.status_code for r in responses] == [201] * 200, \
        [r.text for r in responses if r.status_code != 201][:3]
    addresses = [r.json()['port']['fixed_ips'][0]['ip_address'] for r in responses]
    assert len(set(addresses)) == 200
    assert sorted(_allocations(network, subnet_id)) == sorted(addresses)


def test_over_allocation_is_a_clean_409(network, admin):
    client, net_id, subnet_id = _setup(
        network, admin.token, '10.21.0.0/24',
        allocation_pools=[{'start': '10.21.0.10', 'end': '10.21.0.39'}])
    responses = _create_ports(client, net_id, 45, subnet_id)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 30 + [409] * 15, [r.text for r in responses
                                              if r.status_code not in (201, 409)][:3]
    failures = [r.json()['NeutronError']['type'] for r in responses if r.status_code == 409]
    assert set(failures) == {'IpAddressGenerationFailure'}
    addresses = [r.json()['port']['fixed_ips'][0]['ip_address'] for r in responses
                 if r.status_code == 201]
    stored = _allocations(network, subnet_id)
    assert len(set(stored)) == len(stored) == 30
    assert sorted(stored) == sorted(addresses)
