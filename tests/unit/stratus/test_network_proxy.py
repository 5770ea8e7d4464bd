"""``conn.network`` against a fake HTTP transport: what is sent, and what is done with answers."""
import json
import urllib.parse

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

import stratus
from stratus import exceptions
from tests.unit.stratus.test_image_proxy import FakeTransport

ENDPOINT = 'http://network.test:9696'
NET_ID = '3f1c2b7a-9d8e-4c6b-a5f4-0e1d2c3b4a59'
PORT_ID = '7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928'


class Cloud:
    """Answers ``routes[(method, path)]`` (a value or a ``(status, headers, body)``;
    a list is taken in turn); anything else is a Neutron 404."""

    def __init__(self, routes):
        self.routes = {key: list(v) if isinstance(v, list) else [v] for key, v in routes.items()}

    def __call__(self, request, body):
        answers = self.routes.get((request.method, request.path_url.split('?')[0]))
        if answers is None:
            return 404, {}, {'NeutronError': {'type': 'HTTPNotFound', 'detail': '',
                                              'message': 'The resource could not be found.'}}
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer if isinstance(answer, tuple) else (200, {}, answer)


@pytest.fixture
def serve():
    """``serve(routes, endpoint)`` -> ``(conn, transport)``."""
    made = []

    def make(routes=None, endpoint=ENDPOINT):
        transport = FakeTransport(Cloud(routes or {}))
        http = requests.Session()
        http.mount('http://', transport)
        session = ks_session.Session(auth=token_endpoint.Token(endpoint, 'token'), session=http)
        made.append(http)
        return stratus.Connection(session=session), transport

    yield make
    for http in made:
        http.close()


def _sent(transport, index=-1):
    method, url, _headers, body, _chunks = transport.sent[index]
    parts = urllib.parse.urlsplit(url)
    return method, parts.path, urllib.parse.parse_qs(parts.query), json.loads(body or 'null')


def test_paths_get_v2_0_appended_to_an_unversioned_catalog_url(serve):
    conn, transport = serve({('GET', f'/v2.0/networks/{NET_ID}'): {'network': {'id': NET_ID}}})
    assert conn.network.get_network(NET_ID).id == NET_ID
    assert _sent(transport)[:2] == ('GET', f'/v2.0/networks/{NET_ID}')


def test_a_catalog_url_with_v2_0_is_not_versioned_twice(serve):
    conn, transport = serve({('GET', f'/v2.0/networks/{NET_ID}'): {'network': {'id': NET_ID}}},
                            endpoint=ENDPOINT + '/v2.0/')
    conn.network.get_network(NET_ID)
    assert _sent(transport)[1] == f'/v2.0/networks/{NET_ID}'


def test_list_sends_filters_as_repeated_parameters_and_follows_next_links(serve):
    page2 = f'{ENDPOINT}/v2.0/ports?limit=1&marker=a'
    conn, transport = serve({('GET', '/v2.0/ports'): [
        {'ports': [{'id': 'a'}], 'ports_links': [{'rel': 'next', 'href': page2}]},
        {'ports': [{'id': 'b'}], 'ports_links': [{'rel': 'previous', 'href': page2}]}]})
    ports = list(conn.network.ports(network_id=[NET_ID, 'other'], device_owner=None, limit=1))
    assert [p.id for p in ports] == ['a', 'b']
    assert _sent(transport, 0)[2] == {'network_id': [NET_ID, 'other'], 'limit': ['1']}
    assert _sent(transport, 1)[2] == {'limit': ['1'], 'marker': ['a']}


def test_dashed_collections_are_read_under_their_underscored_key(serve):
    conn, transport = serve({
        ('GET', '/v2.0/security-groups'): {'security_groups': [{'id': 'sg'}]},
        ('GET', '/v2.0/security-group-rules'): {'security_group_rules': [{'id': 'r'}]},
        ('GET', '/v2.0/network-ip-availabilities'): {'network_ip_availabilities': [
            {'network_id': NET_ID}]},
        ('GET', '/v2.0/availability_zones'): {'availability_zones': [{'name': 'nova'}]}})
    assert [g.id for g in conn.network.security_groups()] == ['sg']
    assert [r.id for r in conn.network.security_group_rules()] == ['r']
    assert [a.network_id for a in conn.network.network_ip_availabilities()] == [NET_ID]
    assert [z.name for z in conn.network.availability_zones()] == ['nova']


def test_create_wraps_attributes_and_takes_the_network_as_a_resource(serve):
    conn, transport = serve({('POST', '/v2.0/ports'): (201, {}, {'port': {'id': PORT_ID}})})
    port = conn.network.create_port(network={'id': NET_ID}, name=None,
                                    fixed_ips=[{'ip_address': '10.0.0.5'}],
                                    **{'binding:host_id': 'node-1'})
    assert port.id == PORT_ID
    assert _sent(transport)[3] == {'port': {'network_id': NET_ID, 'binding:host_id': 'node-1',
                                            'fixed_ips': [{'ip_address': '10.0.0.5'}]}}


def test_update_is_a_put_that_sends_none_to_clear(serve):
    conn, transport = serve({('PUT', f'/v2.0/ports/{PORT_ID}'): {'port': {'id': PORT_ID}}})
    conn.network.update_port({'id': PORT_ID}, device_id='', description=None)
    assert _sent(transport)[0] == 'PUT'
    assert _sent(transport)[3] == {'port': {'device_id': '', 'description': None}}


def test_delete_ignores_a_missing_resource_unless_told_otherwise(serve):
    conn, transport = serve({('DELETE', f'/v2.0/networks/{NET_ID}'): (204, {}, b'')})
    conn.network.delete_network(NET_ID)
    conn.network.delete_port(PORT_ID)
    with pytest.raises(exceptions.NotFound):
        conn.network.delete_port(PORT_ID, ignore_missing=False)


def test_a_neutron_fault_becomes_the_exception_of_its_status_with_its_message(serve):
    conn, _ = serve({('POST', '/v2.0/ports'): (409, {}, {'NeutronError': {
        'type': 'IpAddressGenerationFailure', 'detail': '',
        'message': f'No more IP addresses available on network {NET_ID}.'}})})
    with pytest.raises(exceptions.Conflict, match='No more IP addresses'):
        conn.network.create_port(network=NET_ID)


def test_find_tries_the_id_then_the_exact_name(serve):
    conn, transport = serve({('GET', '/v2.0/networks'): {'networks': [
        {'id': NET_ID, 'name': 'private'}, {'id': 'x', 'name': 'private-2'}]}})
    assert conn.network.find_network('private').id == NET_ID
    assert _sent(transport)[2] == {'name': ['private']}
    assert conn.network.find_network('nothing', ignore_missing=True) is None


def test_find_refuses_a_name_two_resources_have(serve):
    conn, _ = serve({('GET', '/v2.0/security-groups'): {'security_groups': [
        {'id': 'a', 'name': 'default'}, {'id': 'b', 'name': 'default'}]}})
    with pytest.raises(exceptions.DuplicateResource):
        conn.network.find_security_group('default')


def test_router_interfaces_name_a_subnet_or_a_port(serve):
    conn, transport = serve({('PUT', '/v2.0/routers/r1/add_router_interface'): {
        'id': 'r1', 'subnet_id': 's1', 'port_id': 'p1'}})
    assert conn.network.add_interface_to_router('r1', subnet='s1').port_id == 'p1'
    assert _sent(transport)[3] == {'subnet_id': 's1'}
    with pytest.raises(TypeError):
        conn.network.add_interface_to_router('r1')
    with pytest.raises(TypeError):
        conn.network.add_interface_to_router('r1', subnet='s1', port='p1')


def test_quota_paths(serve):
    quota = {'quota': {'port': 500}}
    conn, transport = serve({('GET', '/v2.0/quotas/p1'): quota,
                             ('GET', '/v2.0/quotas/p1/details'): quota,
                             ('GET', '/v2.0/quotas/p1/default'): quota,
                             ('PUT', '/v2.0/quotas/p1'): {'quota': {'port': 10}}})
    assert conn.network.get_quota('p1').port == 500
    conn.network.get_quota({'id': 'p1'}, details=True)
    assert _sent(transport)[1] == '/v2.0/quotas/p1/details'
    conn.network.get_quota_default('p1')
    assert conn.network.update_quota('p1', port=10).port == 10
    assert _sent(transport)[3] == {'quota': {'port': 10}}


def test_floating_ips_take_the_external_network_as_a_resource(serve):
    conn, transport = serve({('POST', '/v2.0/floatingips'): (201, {}, {'floatingip': {
        'id': 'f1', 'floating_ip_address': '172.24.4.10'}})})
    conn.network.create_floating_ip(floating_network={'id': NET_ID}, port_id=PORT_ID)
    assert _sent(transport)[3] == {'floatingip': {'floating_network_id': NET_ID,
                                                  'port_id': PORT_ID}}
