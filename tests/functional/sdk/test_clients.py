"""``common.clients.user_connection``: the user's token plus the service's own token."""
import http.server
import json
import threading
import uuid

import pytest

import stratus
from common import catalog
from common import clients
from common.context import RequestContext
from stratus import exceptions
from stratus.proxy import Proxy
from tests.functional.sdk.conftest import unique, user_settings


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an empty list, keeping the request headers."""

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        body = json.dumps({'things': []}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder(conn, service_conf):
    """A recording HTTP service in the catalog: ``(service type, requests seen)``."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service_type = unique('recorder')
    url = f'http://127.0.0.1:{server.server_port}/recorder/v1'
    service = catalog.ensure_catalog_entries(clients.service_connection(service_conf),
                                             service_type, 'recorder',
                                             {'public': url, 'internal': url}, 'RegionOne')
    yield service_type, server.requests
    for endpoint in conn.identity.endpoints(service=service):
        conn.identity.delete_endpoint(endpoint)
    conn.identity.delete_service(service)
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def user_context(identity, make_user):
    """The request context of a member of a new project, as an API would build it."""
    user, password, project = make_user()
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        token = as_user.access.auth_token
    return RequestContext(auth_token=token, user_id=user.id, project_id=project.id,
                          roles=['member'], global_request_id=f'req-{uuid.uuid4()}')


def test_calls_carry_the_user_token_and_the_service_token(
        conn, service_conf, service_user, user_context, recorder):
    service_type, seen = recorder
    with clients.user_connection(service_conf, user_context) as as_user:
        Proxy(as_user, service_type=service_type).request('GET', '/things')
    (path, headers), = seen
    assert path == '/recorder/v1/things'
    assert headers['X-OpenStack-Request-ID'] == user_context.global_request_id

    user_token = conn.identity.validate_token(headers['X-Auth-Token'])
    assert (user_token.user.id, user_token.project.id) == (user_context.user_id,
                                                           user_context.project_id)
    service_token = conn.identity.validate_token(headers['X-Service-Token'])
    assert service_token.user.id == service_user[0].id
    assert 'service' in [role.name for role in service_token.roles]


def test_the_identity_api_accepts_both_tokens(conn, service_conf, user_context):
    with clients.user_connection(service_conf, user_context) as as_user:
        project = as_user.identity.get_project(user_context.project_id)
        assert project.id == user_context.project_id
        assert as_user.current_user_id == user_context.user_id
        # The user's rights, not the service's: a member may not list users.
        with pytest.raises(exceptions.Forbidden):
            list(as_user.identity.users())


def test_a_revoked_user_token_is_refused(conn, service_conf, user_context):
    conn.identity.revoke_token(user_context.auth_token)
    with clients.user_connection(service_conf, user_context) as as_user:
        with pytest.raises(exceptions.Unauthorized):
            as_user.identity.get_project(user_context.project_id)


def test_the_service_connection_is_made_once_per_configuration(service_conf):
    first = clients.service_connection(service_conf)
    second = clients.service_connection(service_conf)
    assert first.session is second.session
    assert first.access.auth_token == second.access.auth_token
