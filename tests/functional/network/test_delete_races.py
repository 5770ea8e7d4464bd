"""A router or port deleted while a request refers to it: a 404, never a 500.

Another transaction deletes the row and holds the delete uncommitted while
the request runs; the request reaches the row's lock (or, without it, the
foreign key check) and waits; the delete then commits.  The request must
answer 404 and leave nothing half done.
"""
import concurrent.futures
import time

import sqlalchemy as sa

from tests.functional.network.l3 import external_network, routed_project, unique_cidr

# Long enough for the request to reach the lock and wait on it.
HOLD_SECONDS = 1.5


def _while_deleted(network, table, row_id, request):
    """``request()``'s response, sent while ``row_id`` of ``table`` is being deleted."""
    engine = sa.create_engine(network.database_url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(sa.text(f'DELETE FROM {table} WHERE id = :id'), {'id': row_id})
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                response = pool.submit(request)
                time.sleep(HOLD_SECONDS)
                transaction.commit()
                return response.result()
    finally:
        engine.dispose()


def test_router_deleted_while_adding_an_interface(network, admin):
    client = network.client(admin.token)
    net = client.post('/v2.0/networks', json={'network': {}}).json()['network']
    subnet = client.post('/v2.0/subnets', json={'subnet': {
        'network_id': net['id'], 'cidr': unique_cidr(), 'ip_version': 4}}).json()['subnet']
    router = client.post('/v2.0/routers', json={'router': {'name': 'r'}}).json()['router']
    response = _while_deleted(network, 'routers', router['id'], lambda: client.put(
        f"/v2.0/routers/{router['id']}/add_router_interface",
        json={'subnet_id': subnet['id']}))
    assert response.status_code == 404, response.text
    assert response.json()['NeutronError']['type'] == 'RouterNotFound'
    ports = client.get(f"/v2.0/ports?network_id={net['id']}").json()['ports']
    assert ports == [], 'the interface port outlived its router'


def test_port_deleted_while_associating_a_floating_ip(network, admin):
    client = network.client(admin.token)
    public, _ = external_network(client, cidr='172.24.10.0/24')
    net, _, _, _ = routed_project(client, public['id'])
    port = client.post('/v2.0/ports', json={'port': {'network_id': net['id']}}).json()['port']
    fip = client.post('/v2.0/floatingips', json={'floatingip': {
        'floating_network_id': public['id']}}).json()['floatingip']
    response = _while_deleted(network, 'ports', port['id'], lambda: client.put(
        f"/v2.0/floatingips/{fip['id']}", json={'floatingip': {'port_id': port['id']}}))
    assert response.status_code == 404, response.text
    assert response.json()['NeutronError']['type'] == 'PortNotFound'
    shown = client.get(f"/v2.0/floatingips/{fip['id']}").json()['floatingip']
    assert shown['port_id'] is None and shown['status'] == 'DOWN'
