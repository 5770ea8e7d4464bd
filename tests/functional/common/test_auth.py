"""``common.auth``: a service API behind keystonemiddleware, against the real identity server.

The app is built as every Stratus API is (``create_base_app`` with
``authenticate=common.auth.authenticate``, wrapped by ``common.auth.wrap``),
configured from an INI file the way a service reads its own, and served
in-process through a werkzeug test client; keystonemiddleware talks HTTP to
the session's identity server with a service user's credentials.
"""
import time

import flask
import pytest
from oslo_config import cfg
from werkzeug.test import Client

from common import auth
from common import config as common_config
from common.wsgi import app as wsgi_app
from tests import servers


@pytest.fixture(scope='session')
def service_user(identity, admin, role_ids):
    """A user with the ``service`` role in the ``service`` project, as a deployment makes."""
    found = admin.get('/v3/projects', params={'name': 'service'}).json()['projects']
    if found:
        project_id = found[0]['id']
    else:
        created = admin.post('/v3/projects', json={'project': {'name': 'service'}})
        assert created.status_code == 201, created.text
        project_id = created.json()['project']['id']
    name, password = servers.unique_name('svc'), servers.unique_name('pw')
    user = admin.post('/v3/users', json={'user': {'name': name, 'password': password}})
    assert user.status_code == 201, user.text
    user_id = user.json()['user']['id']
    assert admin.put(f"/v3/projects/{project_id}/users/{user_id}/roles/"
                     f"{role_ids['service']}").status_code == 204
    return {'name': name, 'password': password, 'id': user_id}


def build_app(identity, service_user, directory, **authtoken_options):
    """A protected test API; a new one per test, so no test sees another's token cache."""
    options = {
        'www_authenticate_uri': f'{identity.url}/v3',
        'auth_url': f'{identity.url}/v3',
        'auth_type': 'password',
        'username': service_user['name'],
        'password': service_user['password'],
        'project_name': 'service',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'http_connect_timeout': 30,
        **authtoken_options,
    }
    path = directory / 'probe.conf'
    path.write_text('[keystone_authtoken]\n' +
                    ''.join(f'{key} = {value}\n' for key, value in options.items()))
    conf = cfg.ConfigOpts()
    common_config.register_common_opts(conf)
    auth.register_opts(conf)
    conf(['--config-file', str(path)], project='stratus-functional-test',
         default_config_files=[])

    app = wsgi_app.create_base_app(__name__, service='probe', conf=conf,
                                   fault_style='openstack', authenticate=auth.authenticate)

    @app.get('/whoami')
    def whoami():
        wsgi_app.mark_policy_checked()
        ctx = wsgi_app.context()
        return flask.jsonify(
            user_id=ctx.user_id, project_id=ctx.project_id, domain_id=ctx.domain_id,
            system_scope=ctx.system_scope, roles=sorted(ctx.roles),
            is_admin_project=ctx.is_admin_project, service_user_id=ctx.service_user_id,
            service_roles=sorted(ctx.service_roles), request_id=ctx.request_id,
            global_request_id=ctx.global_request_id, has_auth_plugin=ctx.auth_plugin is not None)

    @app.get('/open')
    @wsgi_app.public
    def open_route():
        return flask.jsonify(open=True)

    return conf, Client(auth.wrap(app, conf))


@pytest.fixture
def protected(identity, service_user, tmp_path):
    return build_app(identity, service_user, tmp_path)[1]


def whoami(client, token=None, **headers):
    if token:
        headers['X-Auth-Token'] = token
    return client.get('/whoami', headers=headers)


def assert_unauthorized(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json == {'unauthorized': {
        'code': 401, 'message': 'The request you have made requires authentication.'}}
    assert response.headers['X-Openstack-Request-Id'].startswith('req-')


def test_a_user_token_gives_the_right_context(protected, make_account):
    account = make_account(roles=('member',))
    response = whoami(protected, account.token, **{
        'X-Openstack-Request-Id': 'req-12345678-1234-1234-1234-123456789abc'})
    assert response.status_code == 200, response.get_data(as_text=True)
    ctx = response.json
    assert (ctx['user_id'], ctx['project_id']) == (account.user_id, account.project_id)
    assert ctx['roles'] == ['member', 'reader']
    assert ctx['is_admin_project'] is False
    assert ctx['system_scope'] is None and ctx['service_roles'] == []
    assert ctx['request_id'] == response.headers['X-Openstack-Request-Id']
    assert ctx['global_request_id'] == 'req-12345678-1234-1234-1234-123456789abc'
    assert ctx['has_auth_plugin']  # for calls to other services on the user's behalf


def test_scopes_reach_the_context(identity, protected, make_account):
    admin_token, _ = identity.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    cloud_admin = whoami(protected, admin_token).json
    assert 'admin' in cloud_admin['roles'] and cloud_admin['is_admin_project'] is True
    system_token, _ = identity.issue_token('admin', servers.ADMIN_PASSWORD, system=True)
    system = whoami(protected, system_token).json
    assert system['system_scope'] == 'all' and system['project_id'] is None
    # An admin of an ordinary project is not an admin of the cloud.
    project_admin = make_account(roles=('admin',))
    ctx = whoami(protected, project_admin.token).json
    assert 'admin' in ctx['roles'] and ctx['is_admin_project'] is False


def test_missing_garbage_and_forged_credentials_get_401(protected, make_account):
    assert_unauthorized(whoami(protected))
    assert_unauthorized(whoami(protected, 'garbage'))
    assert_unauthorized(whoami(protected, 'gAAAAAB' + 'x' * 180))
    refused = whoami(protected, 'garbage')
    assert refused.headers['WWW-Authenticate'].startswith('Keystone uri=')
    # Identity headers a client sends itself are dropped by the middleware.
    forged = {'X-Identity-Status': 'Confirmed', 'X-User-Id': 'someone', 'X-Roles': 'admin',
              'X-Project-Id': 'theirs', 'X-Is-Admin-Project': 'True',
              'X-Service-Roles': 'service'}
    assert_unauthorized(whoami(protected, **forged))
    account = make_account(roles=('reader',))
    ctx = whoami(protected, account.token, **forged).json
    assert (ctx['user_id'], ctx['project_id'], ctx['roles']) == \
        (account.user_id, account.project_id, ['reader'])
    assert ctx['service_roles'] == [] and ctx['is_admin_project'] is False


def test_public_routes_need_no_token(protected):
    for path in ('/open', '/healthz', '/metrics'):
        for headers in ({}, {'X-Auth-Token': 'garbage'}):
            response = protected.get(path, headers=headers)
            assert response.status_code == 200, (path, response.get_data(as_text=True))
    assert protected.get('/open').json == {'open': True}
    # A route that does not exist is a 404 in the app's dialect, not a 401.
    missing = protected.get('/nowhere')
    assert missing.status_code == 404
    assert missing.json['itemNotFound']['code'] == 404


def test_a_revoked_token_never_seen_is_refused_at_once(identity, admin, protected,
                                                       make_account):
    account = make_account(roles=('member',))
    assert admin.delete('/v3/auth/tokens',
                        headers={'X-Subject-Token': account.token}).status_code == 204
    assert_unauthorized(whoami(protected, account.token))


def test_a_cached_revoked_token_is_refused_within_the_cache_time(identity, admin,
                                                                 service_user, tmp_path,
                                                                 make_account):
    """S5: a revoked token stops working everywhere within token_cache_time (10 s)."""
    conf, client = build_app(identity, service_user, tmp_path)
    cache_time = conf.keystone_authtoken.token_cache_time
    assert cache_time == auth.TOKEN_CACHE_SECONDS == 10
    revoked = make_account(roles=('member',))
    disabled = make_account(roles=('member',))
    cached_at = time.monotonic()
    assert whoami(client, revoked.token).status_code == 200
    assert whoami(client, disabled.token).status_code == 200
    assert admin.delete('/v3/auth/tokens',
                        headers={'X-Subject-Token': revoked.token}).status_code == 204
    assert admin.patch(f'/v3/users/{disabled.user_id}',
                       json={'user': {'enabled': False}}).status_code == 200

    refused_after = {}
    while len(refused_after) < 2 and time.monotonic() - cached_at < cache_time + 10:
        for account in (revoked, disabled):
            if account.name not in refused_after and \
                    whoami(client, account.token).status_code == 401:
                refused_after[account.name] = time.monotonic() - cached_at
        time.sleep(0.25)
    assert set(refused_after) == {revoked.name, disabled.name}, refused_after
    assert max(refused_after.values()) <= cache_time + 3, refused_after


def test_a_service_token_sets_the_service_roles(identity, admin, protected, service_user,
                                                make_account):
    account = make_account(roles=('member',))
    service_token, _ = identity.issue_token(service_user['name'], service_user['password'],
                                            project='service')
    ctx = whoami(protected, account.token, **{'X-Service-Token': service_token}).json
    assert ctx['user_id'] == account.user_id and ctx['roles'] == ['member', 'reader']
    assert ctx['service_roles'] == ['service']
    assert ctx['service_user_id'] == service_user['id']
    # A service token that is not valid fails the request, as keystonemiddleware
    # itself would without delay_auth_decision.
    assert_unauthorized(whoami(protected, account.token, **{'X-Service-Token': 'garbage'}))
    revoked, _ = identity.issue_token(service_user['name'], service_user['password'],
                                      project='service')
    assert admin.delete('/v3/auth/tokens',
                        headers={'X-Subject-Token': revoked}).status_code == 204
    assert_unauthorized(whoami(protected, account.token, **{'X-Service-Token': revoked}))
    # An end user's token is no service token (service_token_roles_required).
    other = make_account(roles=('member',))
    assert_unauthorized(whoami(protected, account.token, **{'X-Service-Token': other.token}))
