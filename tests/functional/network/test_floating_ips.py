"""Floating IPs through the real API: the lifecycle, and the database keeping an address
(and a fixed address's floating IP) unique under concurrent requests, on every backend."""
import concurrent.futures

import sqlalchemy as sa

from tests.functional.network.l3 import external_network, routed_project


def _parallel(calls):
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_floating_ip_lifecycle(network, admin, project):
    admin_client, client = network.client(admin.token), network.client(project.token)
    public, _ = external_network(admin_client, cidr='172.24.6.0/24')
    net, _, router, _ = routed_project(client, public['id'])
    port = client.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).json()['port']
    fip = client.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id']}})
    assert fip.status_code == 201, fip.text
    fip = fip.json()['floatingip']
    assert fip['status'] == 'DOWN' and fip['floating_ip_address'].startswith('172.24.6.')
    url = f"/v2.0/floatingips/{fip['id']}"
    associated = client.put(url, json={'floatingip': {'port_id': port['id']}})
    assert associated.status_code == 200, associated.text
    shown = client.get(url).json()['floatingip']
    assert shown['router_id'] == router['id'] and shown['status'] == 'ACTIVE'
    assert shown['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    other = network.client(admin.token).get(url).json()['floatingip']
    assert other['port_id'] == port['id']
    assert client.put(url, json={'floatingip': {'port_id': None}}).json()[
        'floatingip']['port_id'] is None
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_floating_ips_of_another_project_are_invisible(network, admin, make_account):
    admin_client = network.client(admin.token)
    a = network.client(make_account(roles=('member', 'reader')).token)
    b = network.client(make_account(roles=('member', 'reader')).token)
    public, _ = external_network(admin_client, cidr='172.24.7.0/24')
    fip = a.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id']}}).json()['floatingip']
    url = f"/v2.0/floatingips/{fip['id']}"
    assert b.get(url).status_code == 404
    assert b.get('/v2.0/floatingips').json()['floatingips'] == []
    assert b.put(url, json={'floatingip': {'port_id': None}}).status_code == 404
    assert b.delete(url).status_code == 404
    assert admin_client.get(url).status_code == 200


def test_concurrent_allocation_never_gives_an_address_twice(network, admin, project):
    admin_client, client = network.client(admin.token), network.client(project.token)
    public, subnet = external_network(
        admin_client, cidr='172.24.8.0/24',
        allocation_pools=[{'start': '172.24.8.10', 'end': '172.24.8.19'}])
    body = {'floatingip': {'floating_network_id': public['id']}}
    responses = _parallel([lambda: client.post('/v2.0/floatingips', json=body)] * 16)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [409] * 6, [r.text for r in responses if r.status_code >= 500]
    addresses = [r.json()['floatingip']['floating_ip_address'] for r in responses
                 if r.status_code == 201]
    assert len(set(addresses)) == 10
    engine = sa.create_engine(network.database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text(
                'SELECT floating_ip_address FROM floatingips WHERE floating_network_id = :n'),
                {'n': public['id']}).scalars().all()
    finally:
        engine.dispose()
    assert sorted(stored) == sorted(addresses)


def test_concurrent_association_gives_a_fixed_address_one_floating_ip(network, admin,
                                                                       project):
    admin_client, client = network.client(admin.token), network.client(project.token)
    public, _ = external_network(admin_client, cidr='172.24.9.0/24')
    net, _, _, _ = routed_project(client, public['id'])
    port = client.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).json()['port']
    fips = [client.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id']}}).json()['floatingip'] for _ in range(6)]
    responses = _parallel([
        (lambda f=f: client.put(f"/v2.0/floatingips/{f['id']}",
                                json={'floatingip': {'port_id': port['id']}}))
        for f in fips])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 5, [r.text for r in responses]
    associated = client.get('/v2.0/floatingips', params={'port_id': port['id']})
    assert len(associated.json()['floatingips']) == 1
