"""keystonemiddleware's ``auth_token``, unmodified, validating tokens of the identity API.

This is how every other OpenStack-style service trusts a token: the
middleware logs in as a service user (``service`` role in project
``service``), validates each request's ``X-Auth-Token`` with
``GET /v3/auth/tokens``, caches the answer for ``token_cache_time`` seconds
and hands the identity to the app in ``X-*`` headers.
"""
import time
import uuid
import warnings

import pytest

with warnings.catch_warnings():
    # webob (under keystonemiddleware) still imports the stdlib's deprecated cgi module.
    warnings.filterwarnings('ignore', "'cgi' is deprecated", DeprecationWarning)
    import webob
    from keystonemiddleware import auth_token

from tests.compat.conftest import find_by_name

CACHE_SECONDS = 3
SERVICE_PROJECT = 'service'


@pytest.fixture(scope='module')
def service_user(admin_api):
    """A user holding the ``service`` role in project ``service``, made through the API.

    The project is shared with the services of the all-in-one: it is created
    only if missing (and then deleted again); the user is ours alone.
    """
    created = []
    project = find_by_name(admin_api, 'projects', SERVICE_PROJECT)
    if project is None:
        response = admin_api.post('/v3/projects', json={'project': {
            'name': SERVICE_PROJECT, 'domain_id': 'default'}})
        assert response.status_code == 201, response.text
        project = response.json()['project']
        created.append(f'/v3/projects/{project["id"]}')
    name = f'compat-ksm-{uuid.uuid4().hex[:8]}'
    password = uuid.uuid4().hex
    response = admin_api.post('/v3/users', json={'user': {
        'name': name, 'password': password, 'domain_id': 'default'}})
    assert response.status_code == 201, response.text
    user = response.json()['user']
    created.append(f'/v3/users/{user["id"]}')
    try:
        role = find_by_name(admin_api, 'roles', 'service')
        assert role, 'the identity service has no "service" role'
        grant = admin_api.put(f'/v3/projects/{project["id"]}/users/{user["id"]}'
                              f'/roles/{role["id"]}')
        assert grant.status_code == 204, grant.text
        yield {'name': name, 'password': password, 'project': SERVICE_PROJECT}
    finally:
        for path in reversed(created):
            assert admin_api.delete(path).status_code in (204, 404), path


class RecordingApp:
    """The protected WSGI app: remembers the environ of the last request it served."""

    def __init__(self):
        self.environ = None

    def __call__(self, environ, start_response):
        self.environ = environ
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'protected']


@pytest.fixture
def protected(admin_cloud, service_user):
    """``(middleware, app)``: auth_token configured like a service's [keystone_authtoken]."""
    app = RecordingApp()
    middleware = auth_token.AuthProtocol(app, {
        'www_authenticate_uri': admin_cloud.auth_url,
        'auth_url': admin_cloud.auth_url,
        'auth_type': 'password',
        'username': service_user['name'],
        'password': service_user['password'],
        'project_name': service_user['project'],
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region_name': admin_cloud.region,
        'token_cache_time': str(CACHE_SECONDS),
    })
    return middleware, app


def call(middleware, token=None):
    headers = {'X-Auth-Token': token} if token else {}
    return webob.Request.blank('/resource', headers=headers).get_response(middleware)


def revoke(admin_api, token_id):
    response = admin_api.delete('/v3/auth/tokens', headers={'X-Subject-Token': token_id})
    assert response.status_code == 204, response.text


def test_valid_token_reaches_the_app_with_its_identity(protected, member_cloud):
    middleware, app = protected
    token_id, token = member_cloud.issue_token()

    response = call(middleware, token_id)

    assert response.status_int == 200, response.body
    assert response.body == b'protected'
    environ = app.environ
    assert environ['HTTP_X_IDENTITY_STATUS'] == 'Confirmed'
    assert environ['HTTP_X_USER_ID'] == token['user']['id']
    assert environ['HTTP_X_USER_NAME'] == member_cloud.username
    assert environ['HTTP_X_USER_DOMAIN_ID'] == token['user']['domain']['id']
    assert environ['HTTP_X_PROJECT_ID'] == token['project']['id']
    assert environ['HTTP_X_PROJECT_NAME'] == member_cloud.project_name
    assert set(environ['HTTP_X_ROLES'].split(',')) == {r['name'] for r in token['roles']}
    assert 'member' in environ['HTTP_X_ROLES'].split(',')
    assert environ['keystone.token_info']['token']['audit_ids'] == token['audit_ids']


def test_missing_or_bogus_token_is_refused(protected, admin_cloud):
    middleware, app = protected
    for token in (None, 'not-a-token', 'gAAAAABnot-a-fernet-token'):
        response = call(middleware, token)
        assert response.status_int == 401, token
        assert response.headers['WWW-Authenticate'] == f'Keystone uri="{admin_cloud.auth_url}"'
    assert app.environ is None


def test_revoked_token_is_refused(protected, member_cloud, admin_api):
    middleware, app = protected
    token_id, _ = member_cloud.issue_token()
    revoke(admin_api, token_id)

    response = call(middleware, token_id)

    assert response.status_int == 401
    assert app.environ is None


def test_token_revoked_after_being_cached_is_refused_within_the_cache_time(
        protected, member_cloud, admin_api):
    middleware, app = protected
    token_id, _ = member_cloud.issue_token()
    assert call(middleware, token_id).status_int == 200
    revoke(admin_api, token_id)
    revoked_at = time.monotonic()

    statuses = []
    while time.monotonic() - revoked_at < CACHE_SECONDS + 5:
        statuses.append(call(middleware, token_id).status_int)
        if statuses[-1] == 401:
            break
        time.sleep(0.25)
    refused_after = time.monotonic() - revoked_at

    assert statuses[-1] == 401, f'revoked token still accepted {refused_after:.1f} s later'
    assert set(statuses[:-1]) <= {200}
    # Within the cache time (plus one validation round trip of slack).
    assert refused_after <= CACHE_SECONDS + 2, statuses
