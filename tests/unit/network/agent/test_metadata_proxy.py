"""The metadata proxy's headers, its choice of instance, and a router's proxy on loopback.

The proxy's signed headers are checked with compute's own verification
(``compute.metadata.auth``), so the two services cannot drift apart.  The
loopback tests serve a ``RouterListener`` on ``127.0.0.1`` (the namespace
part is in the functional tests) in front of a small upstream that records
what reached it and answers what the test asks.
"""
import http.client
import http.server
import logging
import socket
import threading
import uuid

import pytest

from compute.metadata import auth
from network.agent import metadata_proxy

SECRET = 'proxy-secret'
INSTANCE = {'instance_id': '6c3b0a7e-55b1-4f3e-9d7a-0d5b2f0c9a11', 'project_id': 'project-p',
            'port_id': 'port-1'}


def test_signature_is_computes():
    assert metadata_proxy.sign(SECRET, INSTANCE['instance_id']) == auth.sign(
        SECRET, INSTANCE['instance_id'])
    assert metadata_proxy.sign('other', INSTANCE['instance_id']) != auth.sign(
        SECRET, INSTANCE['instance_id'])


def test_upstream_headers_prove_the_instance_to_compute():
    headers = metadata_proxy.upstream_headers([('Accept', 'application/json')], INSTANCE,
                                              '10.0.0.5', SECRET)
    requester = auth.authenticate(dict(headers), SECRET)
    assert (requester.instance_id, requester.project_id, requester.address) == (
        INSTANCE['instance_id'], 'project-p', '10.0.0.5')
    assert ('Accept', 'application/json') in headers


def test_guest_cannot_choose_its_instance_or_hop_headers():
    forged = [('x-instance-id', 'someone-else'), ('X-Tenant-ID', 'project-q'),
              ('X-Forwarded-For', '10.0.0.99'),
              ('X-Instance-ID-Signature', auth.sign(SECRET, 'someone-else')),
              ('Host', '169.254.169.254'), ('Connection', 'keep-alive'),
              ('Content-Length', '99'), ('User-Agent', 'cloud-init')]
    headers = metadata_proxy.upstream_headers(forged, INSTANCE, '10.0.0.5', SECRET)
    names = [name.lower() for name, _ in headers]
    for name in ('x-instance-id', 'x-tenant-id', 'x-forwarded-for', 'x-instance-id-signature'):
        assert names.count(name) == 1
    assert not {'host', 'connection', 'content-length'} & set(names)
    assert ('User-Agent', 'cloud-init') in headers
    assert dict(headers)['X-Instance-ID'] == INSTANCE['instance_id']
    assert dict(headers)['X-Forwarded-For'] == '10.0.0.5'


def router(instances, interfaces=(('10.0.0.1', '10.0.0.0/24'),)):
    return {'id': 'router-1', 'namespace': 'qrouter-router-1', 'admin_state_up': True,
            'interfaces': [{'port_id': f'port-{n}', 'fixed_ips': [
                {'subnet_id': f'subnet-{n}', 'ip_address': address, 'prefixlen': 24,
                 'cidr': cidr}]} for n, (address, cidr) in enumerate(interfaces)],
            'instances': instances}


UPSTREAM = {'host': '127.0.0.1', 'port': 8775, 'shared_secret': SECRET}


@pytest.mark.parametrize('local, guest, found', [
    ('10.0.0.1', '10.0.0.5', True),       # through its own interface
    ('10.0.0.1', '10.0.0.6', False),      # no instance of this router
    ('172.24.4.10', '10.0.0.5', False),   # to the gateway side, with a forged source
    ('10.1.0.1', '10.0.0.5', False),      # to another interface than its subnet's
    ('10.0.0.1', 'not-an-address', False),
])
def test_instance_is_found_by_address_and_interface(local, guest, found):
    view = metadata_proxy.RouterView.from_state(
        router({'10.0.0.5': INSTANCE}, [('10.0.0.1', '10.0.0.0/24'), ('10.1.0.1', '10.1.0.0/24')]),
        UPSTREAM)
    assert view.instance_for(local, guest) == (INSTANCE if found else None)


class Upstream:
    """An HTTP server on loopback: records each request, answers ``reply``."""

    def __init__(self):
        self.requests = []
        self.reply = (200, 'application/json', b'{"uuid": "x"}')
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                recorder.requests.append((self.command, self.path, self.headers, body))
                status, content_type, data = recorder.reply
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                if self.command != 'HEAD':
                    self.wfile.write(data)

            do_HEAD = do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.stop()


@pytest.fixture
def serve():
    """``serve(instances, upstream_port)``: a router's proxy on 127.0.0.1; its port."""
    started = []

    def start(instances, upstream_port):
        sock = socket.create_server(('127.0.0.1', 0))
        view = metadata_proxy.RouterView.from_state(
            router(instances, [('127.0.0.1', '127.0.0.0/8')]),
            dict(UPSTREAM, port=upstream_port))
        started.append(metadata_proxy.RouterListener('router-1', sock, view).start())
        return started[-1]
    yield start
    for listener in started:
        listener.close()


def request(listener, method='GET', path='/openstack/latest/meta_data.json', headers=None,
            body=None):
    connection = http.client.HTTPConnection('127.0.0.1', listener.server_address[1],
                                            timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader('Content-Type'), response.read(), response
    finally:
        connection.close()


def test_request_is_forwarded_signed_and_answered(serve, upstream):
    listener = serve({'127.0.0.1': INSTANCE}, upstream.port)
    status, content_type, data, _ = request(listener, headers={'X-Instance-ID': 'forged'})
    assert (status, content_type, data) == (200, 'application/json', b'{"uuid": "x"}')
    (method, path, headers, _), = upstream.requests
    assert (method, path) == ('GET', '/openstack/latest/meta_data.json')
    assert headers.get_all('X-Instance-ID') == [INSTANCE['instance_id']]
    requester = auth.authenticate(headers, SECRET)
    assert (requester.instance_id, requester.project_id, requester.address) == (
        INSTANCE['instance_id'], 'project-p', '127.0.0.1')


def test_upstream_refusal_is_passed_back(serve, upstream):
    upstream.reply = (403, 'text/plain; charset=utf-8', b'Forbidden: bad signature\n')
    status, content_type, data, _ = request(serve({'127.0.0.1': INSTANCE}, upstream.port))
    assert (status, content_type, data) == (403, 'text/plain; charset=utf-8',
                                            b'Forbidden: bad signature\n')


def test_body_and_head_are_forwarded(serve, upstream):
    listener = serve({'127.0.0.1': INSTANCE}, upstream.port)
    assert request(listener, 'POST', '/openstack/2013-04-04/password', body=b'secret')[0] == 200
    assert upstream.requests[-1][3] == b'secret'
    status, _, data, response = request(listener, 'HEAD')
    assert (status, data, response.getheader('Content-Length')) == (200, b'', '13')


def test_unknown_address_gets_404_and_nothing_is_forwarded(serve, upstream, caplog):
    listener = serve({'10.0.0.5': INSTANCE}, upstream.port)
    with caplog.at_level(logging.DEBUG, logger=metadata_proxy.__name__):
        status, content_type, _, _ = request(listener)
    assert (status, content_type) == (404, 'text/plain')
    assert upstream.requests == []
    assert 'router-1' in caplog.text and '127.0.0.1' in caplog.text


def test_bad_length_gets_400(serve, upstream):
    listener = serve({'127.0.0.1': INSTANCE}, upstream.port)
    with socket.create_connection(('127.0.0.1', listener.server_address[1]), timeout=10) as sock:
        sock.sendall(b'POST / HTTP/1.0\r\nContent-Length: lots\r\n\r\n')
        assert sock.makefile('rb').readline().split()[1] == b'400'
    assert upstream.requests == []


def test_upstream_down_gets_502(serve):
    with socket.create_server(('127.0.0.1', 0)) as closed:
        port = closed.getsockname()[1]
    status, content_type, data, _ = request(serve({'127.0.0.1': INSTANCE}, port))
    assert (status, content_type) == (502, 'text/plain')
    assert b'unavailable' in data


def test_update_changes_the_map_of_a_running_proxy(serve, upstream):
    listener = serve({}, upstream.port)
    assert request(listener)[0] == 404
    listener.update(metadata_proxy.RouterView.from_state(
        router({'127.0.0.1': INSTANCE}, [('127.0.0.1', '127.0.0.0/8')]),
        dict(UPSTREAM, port=upstream.port)))
    assert request(listener)[0] == 200


def test_closed_proxy_frees_its_port(serve, upstream):
    listener = serve({'127.0.0.1': INSTANCE}, upstream.port)
    port = listener.server_address[1]
    listener.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.1', port), timeout=5)


def test_router_without_namespace_is_logged_not_raised(conf, caplog):
    part = metadata_proxy.MetadataProxy(conf, str(conf.state_path))
    router_id = str(uuid.uuid4())
    state = {'routers': {router_id: dict(router({}), id=router_id,
                                         namespace=f'qrouter-{router_id}')},
             'metadata': UPSTREAM}
    with caplog.at_level(logging.ERROR, logger=metadata_proxy.__name__):
        part.sync(state)
    assert router_id in caplog.text
    part.cleanup({'routers': {}, 'metadata': UPSTREAM})
