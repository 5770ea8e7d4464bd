"""``conn.compute`` against a fake HTTP transport: what is sent, and what is done with answers."""
import json

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

import stratus
from stratus import exceptions
from stratus.compute.exceptions import ServerFailed, WaitTimeout
from tests.unit.stratus.test_image_proxy import FakeTransport

ENDPOINT = 'http://compute.test:8774/v2.1'
SERVER_ID = '0b7c9a3e-5d6f-4c1e-9a2b-3c4d5e6f7a8b'


def version_document(version='2.96'):
    return {'version': {'id': 'v2.1', 'status': 'CURRENT', 'version': version,
                        'min_version': '2.1' if version else ''}}


class Cloud:
    """Answers ``routes[(method, path)]`` (a value, or a list taken in turn);
    the version document at the endpoint itself."""

    def __init__(self, routes, server_max='2.96'):
        self.routes = {key: list(v) if isinstance(v, list) else [v] for key, v in routes.items()}
        self.server_max = server_max

    def __call__(self, request, body):
        path = request.path_url.split('?')[0]
        if request.method == 'GET' and path == '/v2.1':
            return 200, {}, version_document(self.server_max)
        answers = self.routes[(request.method, path[len('/v2.1'):])]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer if isinstance(answer, tuple) else (200, {}, answer)


@pytest.fixture
def serve():
    """``serve(routes, server_max)`` -> ``(conn, transport)``."""
    made = []

    def make(routes=None, server_max='2.96'):
        transport = FakeTransport(Cloud(routes or {}, server_max))
        http = requests.Session()
        http.mount('http://', transport)
        session = ks_session.Session(auth=token_endpoint.Token(ENDPOINT, 'token'), session=http)
        made.append(http)
        return stratus.Connection(session=session), transport

    yield make
    for http in made:
        http.close()


def sent_json(transport, index=-1):
    return json.loads(transport.sent[index][3])


def _server(status='ACTIVE', **attrs):
    return {'server': {'id': SERVER_ID, 'name': 'vm1', 'status': status, **attrs}}


# --- microversions -----------------------------------------------------------------------

@pytest.mark.parametrize('server_max, sent', [('2.96', '2.60'), ('2.60', '2.60'),
                                              ('2.9', '2.9')])
def test_the_version_is_the_lower_of_the_servers_maximum_and_2_60(serve, server_max, sent):
    conn, transport = serve({('GET', f'/servers/{SERVER_ID}'): _server()}, server_max=server_max)
    conn.compute.get_server(SERVER_ID)
    assert transport.sent[-1][2]['OpenStack-API-Version'] == f'compute {sent}'


def test_every_request_names_the_negotiated_version_in_both_headers_after_one_discovery(
        serve):
    conn, transport = serve({('GET', f'/servers/{SERVER_ID}'): _server()}, server_max='2.53')
    conn.compute.get_server(SERVER_ID)
    conn.compute.get_server(SERVER_ID)
    discoveries = [s for s in transport.sent if s[1] == ENDPOINT]
    assert len(discoveries) == 1
    for method, url, headers, _, _ in transport.sent[1:]:
        assert headers['OpenStack-API-Version'] == 'compute 2.53'
        assert headers['X-OpenStack-Nova-API-Version'] == '2.53'


def test_a_server_without_microversions_gets_no_version_header(serve):
    conn, transport = serve({('GET', f'/servers/{SERVER_ID}'): _server()}, server_max='')
    conn.compute.get_server(SERVER_ID)
    assert 'OpenStack-API-Version' not in transport.sent[-1][2]
    assert 'X-OpenStack-Nova-API-Version' not in transport.sent[-1][2]


# --- servers -------------------------------------------------------------------------

def test_create_server_names_image_and_flavor_refs_and_leaves_out_none(serve):
    conn, transport = serve({('POST', '/servers'): (202, {}, _server('BUILD'))})
    created = conn.compute.create_server(name='vm1', image={'id': 'img'}, flavor='42',
                                         networks='none', key_name=None)
    assert created.id == SERVER_ID
    assert sent_json(transport) == {'server': {'name': 'vm1', 'imageRef': 'img',
                                               'flavorRef': '42', 'networks': 'none'}}


def test_find_server_falls_back_to_an_exact_name_match_in_the_detailed_list(serve):
    conn, transport = serve({
        ('GET', '/servers/vm1'): (404, {}, {'itemNotFound': {'code': 404, 'message': 'no'}}),
        ('GET', '/servers/detail'): {'servers': [{'id': 'a', 'name': 'vm1'},
                                                 {'id': 'b', 'name': 'vm10'}]}})
    assert conn.compute.find_server('vm1').id == 'a'
    assert transport.sent[-1][1] == f'{ENDPOINT}/servers/detail?name=vm1'


def test_find_server_refuses_a_name_two_servers_have(serve):
    conn, _ = serve({
        ('GET', '/servers/vm1'): (404, {}, {'itemNotFound': {'code': 404, 'message': 'no'}}),
        ('GET', '/servers/detail'): {'servers': [{'id': 'a', 'name': 'vm1'},
                                                 {'id': 'b', 'name': 'vm1'}]}})
    with pytest.raises(exceptions.DuplicateResource):
        conn.compute.find_server('vm1')


def test_find_server_missing_raises_or_returns_none(serve):
    conn, _ = serve({
        ('GET', '/servers/vm1'): (404, {}, {'itemNotFound': {'code': 404, 'message': 'no'}}),
        ('GET', '/servers/detail'): {'servers': []}})
    assert conn.compute.find_server('vm1', ignore_missing=True) is None
    with pytest.raises(exceptions.NotFound):
        conn.compute.find_server('vm1')


def test_servers_follows_the_next_links(serve):
    conn, transport = serve({('GET', '/servers/detail'): [
        {'servers': [{'id': 'a'}], 'servers_links': [
            {'rel': 'next', 'href': f'{ENDPOINT}/servers/detail?marker=a'}]},
        {'servers': [{'id': 'b'}]}]})
    assert [s.id for s in conn.compute.servers(all_tenants=True)] == ['a', 'b']
    assert transport.sent[1][1] == f'{ENDPOINT}/servers/detail?all_tenants=True'


def test_wait_for_server_returns_once_active(serve):
    conn, _ = serve({('GET', f'/servers/{SERVER_ID}'): [_server('BUILD'), _server('active')]})
    assert conn.compute.wait_for_server(SERVER_ID, interval=0).status == 'active'


def test_wait_for_server_stops_at_error_with_the_fault(serve):
    conn, _ = serve({('GET', f'/servers/{SERVER_ID}'): _server(
        'ERROR', fault={'code': 500, 'message': 'No valid host was found.'})})
    with pytest.raises(ServerFailed, match='No valid host was found') as raised:
        conn.compute.wait_for_server(SERVER_ID, interval=0)
    assert raised.value.server.status == 'ERROR'


def test_wait_for_server_times_out(serve):
    conn, _ = serve({('GET', f'/servers/{SERVER_ID}'): _server('BUILD')})
    with pytest.raises(WaitTimeout, match='still BUILD'):
        conn.compute.wait_for_server(SERVER_ID, interval=0, wait=0)


def test_wait_for_delete_returns_at_404(serve):
    conn, transport = serve({('GET', f'/servers/{SERVER_ID}'): [
        _server('ACTIVE', **{'OS-EXT-STS:task_state': 'deleting'}),
        (404, {}, {'itemNotFound': {'code': 404, 'message': 'gone'}})]})
    conn.compute.wait_for_delete({'id': SERVER_ID}, interval=0)
    assert len(transport.sent) == 3


def test_wait_for_delete_times_out(serve):
    conn, _ = serve({('GET', f'/servers/{SERVER_ID}'): _server('ACTIVE')})
    with pytest.raises(WaitTimeout, match='still exists'):
        conn.compute.wait_for_delete(SERVER_ID, interval=0, wait=0)


def test_delete_server_ignores_a_missing_one_unless_asked(serve):
    conn, _ = serve({('DELETE', f'/servers/{SERVER_ID}'): (
        404, {}, {'itemNotFound': {'code': 404, 'message': 'gone'}})})
    conn.compute.delete_server(SERVER_ID)
    with pytest.raises(exceptions.NotFound, match='gone'):
        conn.compute.delete_server(SERVER_ID, ignore_missing=False)


# --- actions -------------------------------------------------------------------------------

@pytest.mark.parametrize('call, body', [
    (lambda c: c.start_server(SERVER_ID), {'os-start': None}),
    (lambda c: c.stop_server(SERVER_ID), {'os-stop': None}),
    (lambda c: c.reboot_server(SERVER_ID, 'HARD'), {'reboot': {'type': 'HARD'}}),
    (lambda c: c.pause_server(SERVER_ID), {'pause': None}),
    (lambda c: c.unpause_server(SERVER_ID), {'unpause': None}),
    (lambda c: c.suspend_server(SERVER_ID), {'suspend': None}),
    (lambda c: c.resume_server(SERVER_ID), {'resume': None}),
    (lambda c: c.resize_server(SERVER_ID, {'id': '84'}), {'resize': {'flavorRef': '84'}}),
    (lambda c: c.confirm_server_resize(SERVER_ID), {'confirmResize': None}),
    (lambda c: c.revert_server_resize(SERVER_ID), {'revertResize': None}),
    (lambda c: c.lock_server(SERVER_ID), {'lock': None}),
    (lambda c: c.lock_server(SERVER_ID, 'audit'), {'lock': {'locked_reason': 'audit'}}),
    (lambda c: c.unlock_server(SERVER_ID), {'unlock': None}),
    (lambda c: c.delete_server(SERVER_ID, force=True), {'forceDelete': None}),
])
def test_actions_post_nova_bodies(serve, call, body):
    conn, transport = serve({('POST', f'/servers/{SERVER_ID}/action'): (202, {}, b'')})
    call(conn.compute)
    assert transport.sent[-1][0] == 'POST'
    assert sent_json(transport) == body


def test_a_refused_action_raises_conflict_with_the_api_message(serve):
    conn, _ = serve({('POST', f'/servers/{SERVER_ID}/action'): (409, {}, {'conflictingRequest': {
        'code': 409, 'message': "Cannot 'stop' instance while it is in vm_state stopped"}})})
    with pytest.raises(exceptions.Conflict, match='vm_state stopped'):
        conn.compute.stop_server(SERVER_ID)


def test_create_server_image_reads_the_id_from_the_body_or_the_location(serve):
    conn, transport = serve({('POST', f'/servers/{SERVER_ID}/action'): [
        (202, {}, {'image_id': 'new-image'}),
        (202, {'Location': 'http://image.test:9292/v2/images/old-image'}, b'')]})
    assert conn.compute.create_server_image(SERVER_ID, 'snap', {'k': 'v'}) == 'new-image'
    assert sent_json(transport) == {'createImage': {'name': 'snap', 'metadata': {'k': 'v'}}}
    assert conn.compute.create_server_image(SERVER_ID, 'snap') == 'old-image'


def test_console_output_sends_the_length_only_when_given(serve):
    conn, transport = serve({('POST', f'/servers/{SERVER_ID}/action'): {'output': 'login:'}})
    assert conn.compute.get_server_console_output(SERVER_ID) == 'login:'
    assert sent_json(transport) == {'os-getConsoleOutput': {}}
    conn.compute.get_server_console_output(SERVER_ID, length=5)
    assert sent_json(transport) == {'os-getConsoleOutput': {'length': 5}}


def test_server_actions_and_one_action_with_events(serve):
    conn, _ = serve({
        ('GET', f'/servers/{SERVER_ID}/os-instance-actions'): {'instanceActions': [
            {'action': 'create', 'request_id': 'req-1'}]},
        ('GET', f'/servers/{SERVER_ID}/os-instance-actions/req-1'): {'instanceAction': {
            'action': 'create', 'events': [{'event': 'compute_spawn', 'result': 'Success'}]}}})
    assert [a.request_id for a in conn.compute.server_actions(SERVER_ID)] == ['req-1']
    action = conn.compute.get_server_action(SERVER_ID, 'req-1')
    assert action.events[0].result == 'Success'


# --- flavors, key pairs, administration --------------------------------------------------

def test_create_flavor_sends_the_cli_shape(serve):
    conn, transport = serve({('POST', '/flavors'): {'flavor': {'id': '42', 'name': 'm1.nano'}}})
    conn.compute.create_flavor(name='m1.nano', id='42', ram=128, vcpus=1, disk=1)
    assert sent_json(transport) == {'flavor': {
        'name': 'm1.nano', 'ram': 128, 'vcpus': 1, 'disk': 1, 'id': '42',
        'os-flavor-access:is_public': True}}


def test_find_flavor_matches_names_among_public_and_private_flavors(serve):
    conn, transport = serve({
        ('GET', '/flavors/m1.nano'): (404, {}, {'itemNotFound': {'code': 404, 'message': 'no'}}),
        ('GET', '/flavors/m1.huge'): (404, {}, {'itemNotFound': {'code': 404, 'message': 'no'}}),
        ('GET', '/flavors/detail'): {'flavors': [{'id': '42', 'name': 'm1.nano'},
                                                 {'id': '84', 'name': 'm1.micro'}]}})
    assert conn.compute.find_flavor('m1.nano').id == '42'
    assert transport.sent[-1][1] == f'{ENDPOINT}/flavors/detail?is_public=None'
    assert conn.compute.find_flavor('m1.huge', ignore_missing=True) is None


def test_flavor_access_actions(serve):
    conn, transport = serve({('POST', '/flavors/42/action'): {'flavor_access': []}})
    conn.compute.add_flavor_access('42', {'id': 'p1'})
    assert sent_json(transport) == {'addTenantAccess': {'tenant': 'p1'}}
    conn.compute.remove_flavor_access('42', 'p1')
    assert sent_json(transport) == {'removeTenantAccess': {'tenant': 'p1'}}


def test_keypairs_are_unwrapped_from_their_list_items(serve):
    conn, _ = serve({('GET', '/os-keypairs'): {'keypairs': [
        {'keypair': {'name': 'kp1', 'fingerprint': 'f1'}}]}})
    assert [k.name for k in conn.compute.keypairs()] == ['kp1']


def test_create_keypair_imports_a_public_key(serve):
    conn, transport = serve({('POST', '/os-keypairs'): (201, {}, {'keypair': {'name': 'kp1'}})})
    conn.compute.create_keypair(name='kp1', public_key='ssh-ed25519 AAAA')
    assert sent_json(transport) == {'keypair': {'name': 'kp1', 'public_key': 'ssh-ed25519 AAAA'}}


def test_services_filter_and_update(serve):
    conn, transport = serve({
        ('GET', '/os-services'): {'services': [{'id': 's1', 'host': 'h1', 'state': 'up'}]},
        ('PUT', '/os-services/s1'): {'service': {'id': 's1', 'status': 'disabled'}}})
    assert [s.state for s in conn.compute.services(binary='nova-compute')] == ['up']
    assert transport.sent[-1][1] == f'{ENDPOINT}/os-services?binary=nova-compute'
    updated = conn.compute.update_service('s1', status='disabled', disabled_reason='maint')
    assert updated.status == 'disabled'
    assert sent_json(transport) == {'service': {'status': 'disabled',
                                                'disabled_reason': 'maint'}}


def test_quota_set_with_usage(serve):
    conn, transport = serve({('GET', '/os-quota-sets/p1/detail'): {'quota_set': {
        'instances': {'limit': 10, 'in_use': 2, 'reserved': 0}}}})
    assert conn.compute.get_quota_set('p1', usage=True).instances.in_use == 2


def test_create_server_group_sends_the_policies_list_of_2_60(serve):
    conn, transport = serve({('POST', '/os-server-groups'): {'server_group': {'id': 'g1'}}})
    assert conn.compute.create_server_group(name='g', policy='anti-affinity').id == 'g1'
    assert sent_json(transport) == {'server_group': {'name': 'g',
                                                     'policies': ['anti-affinity']}}
