"""Writes racing on one network: no port swept away by a delete, no 500.

Each round of the delete test creates a port and deletes its network (or
subnet) at the same moment.  Either the delete waits for the port and
refuses (409), or the port comes too late and finds no network (404) or no
subnet (it gets no address on it); a port the API created (201) still
exists afterwards, with the addresses it was given.  Subnets created in
parallel on one network all succeed.
"""
import concurrent.futures

import pytest

ROUNDS = 12


def _race(client, net_id, delete_path):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        port = pool.submit(client.post, '/v2.0/ports', json={'port': {'network_id': net_id}})
        deleted = pool.submit(client.delete, delete_path)
        return port.result(), deleted.result()


@pytest.mark.parametrize('target', ['networks', 'subnets'])
def test_delete_never_sweeps_a_port_being_created(network, admin, target):
    client = network.client(admin.token)
    for round_number in range(ROUNDS):
        net_id = client.post('/v2.0/networks', json={'network': {}}).json()['network']['id']
        subnet_id = client.post('/v2.0/subnets', json={'subnet': {
            'network_id': net_id, 'cidr': f'10.30.{round_number}.0/24',
            'ip_version': 4}}).json()['subnet']['id']
        path = f'/v2.0/networks/{net_id}' if target == 'networks' else \
            f'/v2.0/subnets/{subnet_id}'
        port, deleted = _race(client, net_id, path)
        assert port.status_code in (201, 404), port.text
        assert deleted.status_code in (204, 409), deleted.text
        if port.status_code == 201:
            created = port.json()['port']
            shown = client.get(f"/v2.0/ports/{created['id']}")
            assert shown.status_code == 200, f'the {target} delete swept the new port away'
            assert shown.json()['port']['fixed_ips'] == created['fixed_ips']


def test_parallel_subnets_on_one_network_all_succeed(network, admin):
    # Each moves the network's revision; a deadlock victim is run again, never a 500.
    client = network.client(admin.token)
    net_id = client.post('/v2.0/networks', json={'network': {}}).json()['network']['id']
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda i: client.post('/v2.0/subnets', json={'subnet': {
            'network_id': net_id, 'cidr': f'10.31.{i}.0/24', 'ip_version': 4}}), range(16)))
    assert [r.status_code for r in responses] == [201] * 16, \
        [r.text for r in responses if r.status_code != 201][:2]
    shown = client.get(f'/v2.0/networks/{net_id}').json()['network']
    assert len(shown['subnets']) == 16 and shown['revision_number'] >= 16
