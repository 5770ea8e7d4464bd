"""``/v3/auth``: issuing, validating and revoking tokens over HTTP (``identity/api/auth.py``)."""
import datetime

import bcrypt
import pytest

from common.db.types import utcnow
from identity.api.views import iso
from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import ADMIN_PASSWORD, PUBLIC_URL_BASE

TOKENS = '/v3/auth/tokens'


@pytest.fixture(scope='module')
def world(env):
    """A domain with a project, and a user who is a member there."""
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    user = f.make_user(env.backend, domain=domain, default_project_id=project.id)
    f.grant(env.backend, 'member', user=user, project=project)
    f.grant(env.backend, 'reader', user=user, domain=domain)
    f.grant(env.backend, 'reader', user=user, system=True)
    return domain, project, user


def issue(api, body, query=''):
    return api.post(TOKENS + query, json=body)


def validate(api, token, subject=None, query='', method='GET'):
    return api.request(method, TOKENS + query, token=token,
                       headers={'X-Subject-Token': subject or token})


def _role_names(body):
    return sorted(r['name'] for r in body['token']['roles'])


# -- issuing -------------------------------------------------------------------

def test_password_by_name_and_project_by_name(api, env):
    response = issue(api, f.password_auth('admin', ADMIN_PASSWORD, scope={
        'project': {'name': 'admin', 'domain': {'name': 'Default'}}}))
    assert response.status_code == 201
    token = response.json['token']
    assert response.headers['X-Subject-Token']
    assert token['methods'] == ['password']
    assert token['user'] == {'id': env.admin.id, 'name': 'admin',
                             'domain': {'id': 'default', 'name': 'Default'},
                             'password_expires_at': None}
    assert token['project'] == {'id': env.admin_project.id, 'name': 'admin',
                                'domain': {'id': 'default', 'name': 'Default'}}
    assert token['is_domain'] is False and token['is_admin_project'] is True
    assert _role_names(response.json) == ['admin', 'member', 'reader']
    assert [s['type'] for s in token['catalog']] == ['identity']
    assert len(token['audit_ids']) == 1


def test_lifetime_is_the_configured_expiration(api, env, world):
    _, project, user = world
    response = issue(api, f.password_auth(user, scope=f.scope_of(project=project)))
    token = response.json['token']
    issued = datetime.datetime.strptime(token['issued_at'], '%Y-%m-%dT%H:%M:%S.%fZ')
    expires = datetime.datetime.strptime(token['expires_at'], '%Y-%m-%dT%H:%M:%S.%fZ')
    lifetime = (expires - issued).total_seconds()
    assert env.conf.token.expiration - 1 <= lifetime <= env.conf.token.expiration
    assert token['expires_at'].endswith('.000000Z')


@pytest.mark.parametrize('user_ref', ['id', 'name+domain-name', 'name+domain-id'])
def test_password_user_references(api, world, user_ref):
    domain, project, user = world
    ref = {'id': {'id': user.id},
           'name+domain-name': {'name': user.name, 'domain': {'name': domain.name}},
           'name+domain-id': {'name': user.name, 'domain': {'id': domain.id}}}[user_ref]
    body = {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {**ref, 'password': f.PASSWORD}}}, 'scope': f.scope_of(project=project)}}
    response = issue(api, body)
    assert response.status_code == 201
    assert response.json['token']['user']['id'] == user.id


def test_project_scope_by_name(api, world):
    domain, project, user = world
    response = issue(api, f.password_auth(user, scope={
        'project': {'name': project.name, 'domain': {'id': domain.id}}}))
    assert response.status_code == 201
    assert response.json['token']['project']['id'] == project.id
    assert _role_names(response.json) == ['member', 'reader']


def test_domain_scope(api, world):
    domain, _, user = world
    response = issue(api, f.password_auth(user, scope={'domain': {'name': domain.name}}))
    assert response.status_code == 201
    token = response.json['token']
    assert token['domain'] == {'id': domain.id, 'name': domain.name}
    assert 'project' not in token and 'system' not in token
    assert _role_names(response.json) == ['reader']


def test_system_scope(api, world):
    _, _, user = world
    response = issue(api, f.password_auth(user, scope={'system': {'all': True}}))
    assert response.status_code == 201
    token = response.json['token']
    assert token['system'] == {'all': True}
    assert 'project' not in token and 'domain' not in token
    assert _role_names(response.json) == ['reader']
    assert 'catalog' in token


def test_explicitly_unscoped(api, world):
    _, _, user = world
    response = issue(api, f.password_auth(user, scope='unscoped'))
    assert response.status_code == 201
    token = response.json['token']
    for key in ('project', 'domain', 'system', 'roles', 'catalog'):
        assert key not in token


def test_default_project_when_no_scope_is_asked(api, world):
    _, project, user = world
    response = issue(api, f.password_auth(user))
    assert response.json['token']['project']['id'] == project.id


def test_no_scope_and_no_default_project_is_unscoped(api, env):
    user = f.make_user(env.backend)
    response = issue(api, f.password_auth(user))
    assert response.status_code == 201
    assert 'project' not in response.json['token']


def test_default_project_without_a_role_there_is_unscoped(api, env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend, default_project_id=project.id)
    response = issue(api, f.password_auth(user))
    assert response.status_code == 201
    assert 'project' not in response.json['token']


@pytest.mark.parametrize('scope', ['project', 'domain', 'system'])
def test_scope_without_a_role_is_refused(api, env, scope):
    user = f.make_user(env.backend)
    target = {'project': {'project': {'id': f.make_project(env.backend).id}},
              'domain': {'domain': {'id': 'default'}},
              'system': {'system': {'all': True}}}[scope]
    response = issue(api, f.password_auth(user, scope=target))
    assert response.status_code == 401


@pytest.mark.parametrize('scope', [
    {'project': {'id': 'no-such-project'}},
    {'project': {'name': 'no-such-project', 'domain': {'name': 'Default'}}},
    {'project': {'name': 'admin', 'domain': {'name': 'no-such-domain'}}},
    {'domain': {'id': 'no-such-domain'}},
])
def test_scope_to_something_unknown_is_refused(api, world, scope):
    response = issue(api, f.password_auth(world[2], scope=scope))
    assert response.status_code == 401


def test_project_name_needs_a_domain(api, world):
    response = issue(api, f.password_auth(world[2], scope={'project': {'name': 'admin'}}))
    assert response.status_code == 400
    assert "'auth.scope.project.domain'" in response.json['error']['message']


def test_disabled_project_cannot_be_scoped_to(api, env):
    project = f.make_project(env.backend, enabled=False)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    assert issue(api, f.password_auth(user, scope=f.scope_of(project=project))).status_code == 401


def test_nocatalog(api, world):
    _, project, user = world
    response = issue(api, f.password_auth(user, scope=f.scope_of(project=project)),
                     query='?nocatalog')
    assert response.status_code == 201
    assert 'catalog' not in response.json['token']
    token = response.headers['X-Subject-Token']
    assert 'catalog' not in validate(api, token, query='?nocatalog').json['token']
    assert 'catalog' in validate(api, token).json['token']


# -- validating ----------------------------------------------------------------

@pytest.mark.parametrize('scope', ['project', 'domain', 'system', 'unscoped'])
def test_validation_renders_the_issued_body(api, world, scope):
    domain, project, user = world
    target = {'project': f.scope_of(project=project), 'domain': f.scope_of(domain=domain),
              'system': f.scope_of(system=True), 'unscoped': 'unscoped'}[scope]
    issued = issue(api, f.password_auth(user, scope=target))
    token = issued.headers['X-Subject-Token']
    validated = validate(api, token)
    assert validated.status_code == 200
    assert validated.headers['X-Subject-Token'] == token
    assert validated.json == issued.json


def test_admin_validates_anyones_token(api, env, world, admin_token):
    _, project, user = world
    token = f.token_for(env.backend, user, project=project)
    response = validate(api, admin_token, subject=token)
    assert response.status_code == 200
    assert response.json['token']['user']['id'] == user.id


def test_user_cannot_validate_someone_elses_token(api, env, world):
    _, project, user = world
    other = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=other, project=project)
    theirs = f.token_for(env.backend, other, project=project)
    mine = f.token_for(env.backend, user, project=project)
    assert validate(api, mine, subject=theirs).status_code == 403


def test_head_checks_a_token(api, env, world):
    token = f.token_for(env.backend, world[2], project=world[1])
    response = validate(api, token, method='HEAD')
    assert response.status_code == 200
    assert response.get_data() == b''


def test_delete_revokes_then_get_and_head_are_404(api, env, world, admin_token):
    token = f.token_for(env.backend, world[2], project=world[1])
    assert validate(api, admin_token, subject=token, method='DELETE').status_code == 204
    assert validate(api, admin_token, subject=token).status_code == 404
    assert validate(api, admin_token, subject=token, method='HEAD').status_code == 404
    assert validate(api, admin_token, subject=token, method='DELETE').status_code == 404


def test_subject_token_is_required(api, admin_token):
    for method in ('GET', 'HEAD', 'DELETE'):
        response = api.request(method, TOKENS, token=admin_token)
        assert response.status_code == 400


@pytest.mark.parametrize('subject', ['garbage', 'gAAAAABnot-a-real-token'])
def test_unknown_subject_token_is_404(api, admin_token, subject):
    response = validate(api, admin_token, subject=subject)
    assert response.status_code == 404
    assert response.json['error']['code'] == 404


def test_expired_token_is_404(api, env, world, admin_token):
    _, project, user = world
    past = utcnow() - datetime.timedelta(hours=2)
    expired = f.forge_token(env, user, project=project, issued_at=past,
                            expires_at=past + datetime.timedelta(hours=1))
    assert validate(api, admin_token, subject=expired).status_code == 404
    response = api.get('/v3/auth/projects', token=expired)
    assert response.status_code == 401


def test_expired_token_with_allow_expired(api, env, world, admin_token):
    _, project, user = world
    past = utcnow() - datetime.timedelta(hours=2)
    expired = f.forge_token(env, user, project=project, issued_at=past,
                            expires_at=past + datetime.timedelta(hours=1))
    response = validate(api, admin_token, subject=expired, query='?allow_expired=1')
    assert response.status_code == 200
    assert response.json['token']['expires_at'] == iso(past + datetime.timedelta(hours=1))
    # Beyond the window it is gone for good.
    long_ago = utcnow() - datetime.timedelta(seconds=env.conf.token.allow_expired_window
                                             + 7200)
    ancient = f.forge_token(env, user, project=project, issued_at=long_ago,
                            expires_at=long_ago + datetime.timedelta(hours=1))
    assert validate(api, admin_token, subject=ancient,
                    query='?allow_expired=true').status_code == 404


def test_allow_expired_never_revives_a_revoked_token(api, env, admin_token):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    past = utcnow() - datetime.timedelta(hours=2)
    expired = f.forge_token(env, user, project=project, issued_at=past,
                            expires_at=past + datetime.timedelta(hours=1))
    assert validate(api, admin_token, subject=expired, query='?allow_expired=1').status_code \
        == 200
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'password': 'new'}})
    assert validate(api, admin_token, subject=expired, query='?allow_expired=1').status_code \
        == 404


def test_sealed_token_is_still_checked_against_the_database(api, env, world, admin_token):
    user = f.make_user(env.backend)
    # Correctly signed, but the user holds no role on the project.
    forged = f.forge_token(env, user, project=world[1])
    assert validate(api, admin_token, subject=forged).status_code == 404


# -- the token method and rescoping ---------------------------------------------

def test_unscoped_token_exchanged_for_a_project_token(api, env, world):
    _, project, user = world
    unscoped = issue(api, f.password_auth(user, scope='unscoped'))
    parent = unscoped.json['token']
    response = issue(api, f.token_auth(unscoped.headers['X-Subject-Token'],
                                       scope=f.scope_of(project=project)))
    assert response.status_code == 201
    token = response.json['token']
    assert token['methods'] == ['password', 'token']
    assert token['project']['id'] == project.id
    assert token['expires_at'] == parent['expires_at']
    # Its own audit id, then the chain's.
    assert token['audit_ids'][1] == parent['audit_ids'][0]
    assert token['audit_ids'][0] != parent['audit_ids'][0]


def test_rescoping_cannot_extend_the_expiry(api, env, world):
    _, project, user = world
    soon = utcnow().replace(microsecond=0) + datetime.timedelta(minutes=10)
    parent = f.forge_token(env, user, expires_at=soon)
    response = issue(api, f.token_auth(parent, scope=f.scope_of(project=project)))
    assert response.status_code == 201
    assert response.json['token']['expires_at'] == iso(soon)
    again = issue(api, f.token_auth(response.headers['X-Subject-Token'], scope='unscoped'))
    assert again.json['token']['expires_at'] == iso(soon)


def test_rescoping_can_be_disabled(fresh_env):
    fresh_env.conf.set_override('allow_rescope_scoped_token', False, group='token')
    token = fresh_env.admin_token()
    response = fresh_env.api.post(TOKENS, json=f.token_auth(token, scope={
        'domain': {'id': 'default'}}))
    assert response.status_code == 403


def test_expired_or_bad_token_cannot_be_exchanged(api, env, world):
    _, project, user = world
    past = utcnow() - datetime.timedelta(hours=2)
    expired = f.forge_token(env, user, issued_at=past,
                            expires_at=past + datetime.timedelta(hours=1))
    for token in (expired, 'garbage'):
        response = issue(api, f.token_auth(token, scope=f.scope_of(project=project)))
        assert response.status_code == 401


def test_methods_must_name_one_user(api, env, world):
    other = f.make_user(env.backend)
    body = f.password_auth(other, scope='unscoped')
    body['auth']['identity']['methods'].append('token')
    body['auth']['identity']['token'] = {'id': f.token_for(env.backend, world[2],
                                                           project=world[1])}
    assert issue(api, body).status_code == 401


# -- refusals --------------------------------------------------------------------

def test_bad_credentials_look_the_same(api, world):
    domain, _, user = world
    attempts = [
        f.password_auth(user, password='wrong'),
        f.password_auth('no-such-user', domain_name=domain.name),
        f.password_auth(user.name, domain_name='no-such-domain'),
        {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': 'no-such-id', 'password': f.PASSWORD}}}}},
    ]
    responses = [issue(api, body) for body in attempts]
    assert [r.status_code for r in responses] == [401] * 4
    assert len({r.get_data() for r in responses}) == 1
    assert responses[0].json['error']['message'] == \
        'The request you have made requires authentication.'
    assert all(r.headers['WWW-Authenticate'] == f'Keystone uri="{PUBLIC_URL_BASE}"'
               for r in responses)


def test_disabled_user_cannot_authenticate(api, env):
    user = f.make_user(env.backend, enabled=False)
    assert issue(api, f.password_auth(user, scope='unscoped')).status_code == 401


def test_user_of_a_disabled_domain_cannot_authenticate(api, env):
    domain = f.make_domain(env.backend, enabled=False)
    user = f.make_user(env.backend, domain=domain)
    assert issue(api, f.password_auth(user, scope='unscoped')).status_code == 401


def test_user_without_password_cannot_authenticate(api, env):
    user = f.make_user(env.backend, password=None)
    assert issue(api, f.password_auth(user, password='')).status_code == 401


def test_every_refused_login_costs_one_hash_check(api, env, world, monkeypatch):
    """Response time must not tell an unknown user (or one without a password,
    or without that application credential) from a wrong secret: each refusal
    spends exactly one bcrypt check."""
    checks = []
    real_checkpw = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, 'checkpw', lambda *a: checks.append(1) or real_checkpw(*a))
    domain, project, user = world
    f.make_application_credential(env.backend, user, project, name='known-credential')
    passwordless = f.make_user(env.backend, domain=domain, password=None)

    def app_credential(user_ref, name):
        return {'auth': {'identity': {'methods': ['application_credential'],
                                      'application_credential': {
                                          'user': user_ref, 'name': name, 'secret': 'wrong'}}}}

    attempts = {
        'wrong password': f.password_auth(user, password='wrong'),
        'unknown user': f.password_auth('no-such-user', domain_name=domain.name),
        'user without password': f.password_auth(passwordless, password='guess'),
        'no password sent': {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': user.id}}}}},
        'wrong secret': app_credential({'id': user.id}, 'known-credential'),
        'unknown credential': app_credential({'id': user.id}, 'no-such-credential'),
        'credential of unknown user': app_credential(
            {'name': 'no-such-user', 'domain': {'id': domain.id}}, 'known-credential'),
        'credential of unknown user id': app_credential({'id': 'no-such-id'},
                                                        'known-credential'),
    }
    for what, body in attempts.items():
        checks.clear()
        assert issue(api, body).status_code == 401, what
        assert len(checks) == 1, what


@pytest.mark.parametrize('body, field', [
    ({}, "'auth'"),
    ({'auth': {}}, "'auth.identity'"),
    ({'auth': {'identity': {}}}, "'auth.identity.methods'"),
    ({'auth': {'identity': {'methods': []}}}, "'auth.identity.methods'"),
    ({'auth': {'identity': {'methods': 'password'}}}, "'auth.identity.methods'"),
    ({'auth': {'identity': {'methods': ['password']}}}, "'auth.identity.password'"),
    ({'auth': {'identity': {'methods': ['password'], 'password': {}}}},
     "'auth.identity.password.user'"),
    ({'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': 'admin', 'password': 'x'}}}}}, "'auth.identity.password.user.domain'"),
    ({'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'id': 5, 'password': 'x'}}}}}, "'auth.identity.password.user.id'"),
    ({'auth': {'identity': {'methods': ['application_credential'],
                            'application_credential': {'id': 'x'}}}},
     "'auth.identity.application_credential.secret'"),
])
def test_malformed_requests_name_the_field(api, body, field):
    response = issue(api, body)
    assert response.status_code == 400
    assert field in response.json['error']['message']


@pytest.mark.parametrize('scope', [{'system': {'all': False}}, {}, 'everything',
                                   {'project': {'id': 'p'}, 'domain': {'id': 'd'}}])
def test_malformed_scope_is_400(api, scope):
    body = f.password_auth('admin', ADMIN_PASSWORD, scope=scope)
    assert issue(api, body).status_code == 400


def test_malformed_json_is_400(api):
    response = api.post(TOKENS, data='{"auth": ', content_type='application/json')
    assert response.status_code == 400
    assert 'Malformed request body' in response.json['error']['message']


def test_unsupported_method_is_401(api):
    body = {'auth': {'identity': {'methods': ['totp'], 'totp': {}}}}
    assert issue(api, body).status_code == 401


# -- the caller's token --------------------------------------------------------

def test_missing_token_is_401_with_www_authenticate(api):
    response = api.get('/v3/projects')
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == f'Keystone uri="{PUBLIC_URL_BASE}"'
    assert response.json['error']['code'] == 401


@pytest.mark.parametrize('token', ['garbage', 'gAAAAABfakefakefake'])
def test_invalid_token_is_401(api, token):
    response = api.get('/v3/projects', token=token)
    assert response.status_code == 401
    assert 'WWW-Authenticate' in response.headers


# -- what a token can reach ----------------------------------------------------

def test_auth_catalog(api, env, world):
    _, project, user = world
    token = f.token_for(env.backend, user, project=project)
    response = api.get('/v3/auth/catalog', token=token)
    assert response.status_code == 200
    assert response.json['catalog'] == validate(api, token).json['token']['catalog']
    assert response.json['links']['self'] == f'{PUBLIC_URL_BASE}/v3/auth/catalog'


def test_unscoped_token_has_no_catalog(api, env, world):
    token = f.token_for(env.backend, world[2])
    assert api.get('/v3/auth/catalog', token=token).status_code == 403


def test_catalog_fills_in_the_project(fresh_env):
    env, api = fresh_env, fresh_env.api
    admin = env.admin_token()
    service = api.post('/v3/services', token=admin, json={
        'service': {'type': 'block-storage', 'name': 'cinder'}}).json['service']
    for url in ('http://volume:8776/v3/$(project_id)s', 'http://volume:8776/v3/%(tenant_id)s'):
        assert api.post('/v3/endpoints', token=admin, json={'endpoint': {
            'service_id': service['id'], 'interface': 'public', 'url': url,
            'region_id': 'RegionOne'}}).status_code == 201
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    f.grant(env.backend, 'reader', user=user, system=True)
    catalog = api.get('/v3/auth/catalog',
                      token=f.token_for(env.backend, user, project=project)).json['catalog']
    volume = next(s for s in catalog if s['type'] == 'block-storage')
    assert [e['url'] for e in volume['endpoints']] == [
        f'http://volume:8776/v3/{project.id}'] * 2
    assert all(e['region'] == e['region_id'] == 'RegionOne' for e in volume['endpoints'])
    # A system token has no project to fill in: those endpoints are left out.
    system_token = f.token_for(env.backend, user, system=True)
    catalog = validate(api, system_token).json['token']['catalog']
    assert next(s for s in catalog if s['type'] == 'block-storage')['endpoints'] == []


def test_auth_projects_lists_enabled_projects_with_a_role(api, env):
    user = f.make_user(env.backend)
    mine = f.make_project(env.backend)
    via_group = f.make_project(env.backend)
    disabled = f.make_project(env.backend)
    f.make_project(env.backend)  # no role there
    f.grant(env.backend, 'reader', user=user, project=mine)
    f.grant(env.backend, 'reader', user=user, project=disabled)
    group = f.make_group(env.backend, members=[user])
    f.grant(env.backend, 'member', group=group, project=via_group)
    with env.backend.writer() as session:
        env.backend.resource.update_project(session, disabled.id, {'enabled': False})
    response = api.get('/v3/auth/projects', token=f.token_for(env.backend, user))
    assert response.status_code == 200
    assert sorted(p['id'] for p in response.json['projects']) == sorted([mine.id,
                                                                         via_group.id])


def test_auth_domains_and_system(api, env, world):
    domain, _, user = world
    token = f.token_for(env.backend, user)
    domains = api.get('/v3/auth/domains', token=token)
    assert [d['id'] for d in domains.json['domains']] == [domain.id]
    assert api.get('/v3/auth/system', token=token).json['system'] == [{'all': True}]
    nobody = f.token_for(env.backend, f.make_user(env.backend))
    assert api.get('/v3/auth/domains', token=nobody).json['domains'] == []
    assert api.get('/v3/auth/system', token=nobody).json['system'] == []
