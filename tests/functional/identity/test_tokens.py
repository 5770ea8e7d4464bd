"""Tokens through the real server: issue, validate, check, revoke, rescope.

The revocation cases are the anchors of OSSA 2012-014, 2013-011 and
2016-008 (reliability_anchors §1.2): once a token is revoked, or anything
it depends on changes, identity refuses it at once — 404 when validated
(``X-Subject-Token``), 401 when presented (``X-Auth-Token``).
"""
import datetime

import pytest

from tests import servers


def _normalised(body):
    token = dict(body['token'])
    if 'roles' in token:
        token['roles'] = sorted(token['roles'], key=lambda r: r['id'])
    return token


def _parse_time(value):
    return datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))


def issue(identity, account, scope='project'):
    """A new token of ``account`` (password auth); returns ``(token id, body)``."""
    auth = servers.password_auth(account.name, account.password)
    if scope == 'project':
        auth['auth']['scope'] = {'project': {'id': account.project_id}}
    response = identity.anonymous().post('/v3/auth/tokens', json=auth)
    assert response.status_code == 201, response.text
    return response.headers['X-Subject-Token'], response.json()


def assert_refused(identity, admin, token):
    """``token`` is dead: 404 on validate and check, 401 when presented."""
    validated = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert validated.status_code == 404, validated.text
    assert validated.json()['error']['code'] == 404
    checked = admin.head('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert checked.status_code == 404
    presented = servers.ApiClient(identity.url, token).get('/v3/auth/catalog')
    assert presented.status_code == 401, presented.text
    assert presented.json()['error']['code'] == 401
    assert presented.headers['WWW-Authenticate'].startswith('Keystone uri=')


def assert_valid(identity, admin, token):
    validated = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert validated.status_code == 200, validated.text
    presented = servers.ApiClient(identity.url, token).get('/v3/auth/catalog')
    assert presented.status_code == 200, presented.text
    return validated.json()


def test_issue_validate_check_and_revoke(identity, admin, make_account):
    account = make_account(roles=('member',))
    token, issued = issue(identity, account)

    body = issued['token']
    assert body['user']['id'] == account.user_id
    assert body['project']['id'] == account.project_id
    assert body['methods'] == ['password']
    assert {r['name'] for r in body['roles']} == {'member', 'reader'}
    lifetime = _parse_time(body['expires_at']) - _parse_time(body['issued_at'])
    assert datetime.timedelta(seconds=3500) < lifetime <= datetime.timedelta(seconds=3600)
    identity_urls = [e['url'] for s in body['catalog'] if s['type'] == 'identity'
                     for e in s['endpoints'] if e['interface'] == 'public']
    assert identity_urls == [f'{identity.url}/v3']

    # Validation answers exactly what issuance did, whoever validates.
    by_admin = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.headers['X-Subject-Token'] == token
    assert _normalised(by_admin.json()) == _normalised(issued)
    by_owner = account.client.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert by_owner.status_code == 200
    assert _normalised(by_owner.json()) == _normalised(issued)
    assert 'catalog' not in admin.get('/v3/auth/tokens?nocatalog',
                                      headers={'X-Subject-Token': token}).json()['token']
    assert admin.head('/v3/auth/tokens', headers={'X-Subject-Token': token}).status_code == 200

    # Another user may not validate someone else's token.
    stranger = make_account(roles=('member',))
    assert stranger.client.get('/v3/auth/tokens',
                               headers={'X-Subject-Token': token}).status_code == 403

    revoked = account.client.delete('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert revoked.status_code == 204
    assert_refused(identity, admin, token)
    # The account's other token (issued by the fixture) is untouched.
    assert_valid(identity, admin, account.token)


def test_garbage_and_missing_subject_tokens(admin):
    for garbage in ('garbage', 'gAAAAAB' + 'A' * 150, ''):
        response = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': garbage})
        assert response.status_code in (400, 404), response.text
        assert response.json()['error']['code'] == response.status_code
    missing = admin.get('/v3/auth/tokens')
    assert missing.status_code == 400
    assert 'X-Subject-Token' in missing.json()['error']['message']


def _revoke_token(identity, admin, account, role_ids):
    assert admin.delete('/v3/auth/tokens',
                        headers={'X-Subject-Token': account.token}).status_code == 204


def _disable_user(identity, admin, account, role_ids):
    response = admin.patch(f'/v3/users/{account.user_id}', json={'user': {'enabled': False}})
    assert response.status_code == 200, response.text


def _delete_user(identity, admin, account, role_ids):
    assert admin.delete(f'/v3/users/{account.user_id}').status_code == 204


def _change_own_password(identity, admin, account, role_ids):
    response = account.client.post(f'/v3/users/{account.user_id}/password', json={'user': {
        'original_password': account.password, 'password': account.password + '-new'}})
    assert response.status_code == 204, response.text


def _remove_role(identity, admin, account, role_ids):
    response = admin.delete(f'/v3/projects/{account.project_id}/users/{account.user_id}'
                            f'/roles/{role_ids["member"]}')
    assert response.status_code == 204, response.text


def _disable_project(identity, admin, account, role_ids):
    response = admin.patch(f'/v3/projects/{account.project_id}',
                           json={'project': {'enabled': False}})
    assert response.status_code == 200, response.text


def _delete_project(identity, admin, account, role_ids):
    assert admin.delete(f'/v3/projects/{account.project_id}').status_code == 204


@pytest.mark.parametrize('trigger', [
    _revoke_token, _disable_user, _delete_user, _change_own_password, _remove_role,
    _disable_project, _delete_project,
], ids=lambda f: f.__name__.strip('_'))
def test_revocation_triggers(identity, admin, make_account, role_ids, trigger):
    account = make_account(roles=('member',))
    assert_valid(identity, admin, account.token)
    trigger(identity, admin, account, role_ids)
    assert_refused(identity, admin, account.token)


def test_password_change_keeps_the_user_working(identity, admin, make_account):
    account = make_account(roles=('member',))
    new_password = account.password + '-new'
    wrong = account.client.post(f'/v3/users/{account.user_id}/password', json={'user': {
        'original_password': 'not-it', 'password': new_password}})
    assert wrong.status_code == 401
    assert_valid(identity, admin, account.token)

    changed = account.client.post(f'/v3/users/{account.user_id}/password', json={'user': {
        'original_password': account.password, 'password': new_password}})
    assert changed.status_code == 204
    assert_refused(identity, admin, account.token)
    anonymous = identity.anonymous()
    assert anonymous.post('/v3/auth/tokens', json=servers.password_auth(
        account.name, account.password)).status_code == 401
    account.password = new_password
    token, _ = issue(identity, account)
    assert_valid(identity, admin, token)


def test_removing_a_role_changes_new_tokens_at_once(identity, admin, make_account, role_ids):
    account = make_account(roles=('member', 'service'))
    path = f'/v3/projects/{account.project_id}/users/{account.user_id}/roles'
    assert admin.delete(f'{path}/{role_ids["service"]}').status_code == 204
    # Tokens that carried the role are gone, even though the user keeps a role.
    assert_refused(identity, admin, account.token)
    token, body = issue(identity, account)
    assert {r['name'] for r in body['token']['roles']} == {'member', 'reader'}
    assert_valid(identity, admin, token)
    assert admin.delete(f'{path}/{role_ids["member"]}').status_code == 204
    # No role left on the project: no project-scoped token.
    refused = identity.anonymous().post('/v3/auth/tokens', json={'auth': {
        'identity': servers.password_auth(account.name, account.password)['auth']['identity'],
        'scope': {'project': {'id': account.project_id}}}})
    assert refused.status_code == 401


def test_rescoped_token_dies_with_its_parent(identity, admin, make_account):
    """OSSA-2016-008: the audit chain survives rescoping, so revocation follows it."""
    account = make_account(roles=('member',))
    unscoped, unscoped_body = issue(identity, account, scope=None)
    assert 'project' not in unscoped_body['token']
    rescoped = identity.anonymous().post('/v3/auth/tokens', json={'auth': {
        'identity': {'methods': ['token'], 'token': {'id': unscoped}},
        'scope': {'project': {'id': account.project_id}}}})
    assert rescoped.status_code == 201, rescoped.text
    child = rescoped.headers['X-Subject-Token']
    child_body = rescoped.json()['token']
    assert child_body['audit_ids'][1] == unscoped_body['token']['audit_ids'][0]
    assert set(child_body['methods']) == {'password', 'token'}
    # The child never outlives its parent.
    assert child_body['expires_at'] <= unscoped_body['token']['expires_at']
    assert_valid(identity, admin, child)

    assert admin.delete('/v3/auth/tokens', headers={'X-Subject-Token': unscoped}).status_code \
        == 204
    assert_refused(identity, admin, child)
    assert_valid(identity, admin, account.token)


def test_wrong_password_and_unknown_user_look_the_same(identity, make_account):
    account = make_account(roles=('member',))
    anonymous = identity.anonymous()
    wrong = anonymous.post('/v3/auth/tokens',
                           json=servers.password_auth(account.name, 'not-the-password'))
    unknown = anonymous.post('/v3/auth/tokens', json=servers.password_auth(
        servers.unique_name('nobody'), 'not-the-password'))
    unknown_domain = anonymous.post('/v3/auth/tokens', json=servers.password_auth(
        account.name, account.password, user_domain=servers.unique_name('no-domain')))
    for response in (wrong, unknown, unknown_domain):
        assert response.status_code == 401
        assert 'X-Subject-Token' not in response.headers
    assert wrong.json() == unknown.json() == unknown_domain.json()
    assert wrong.headers['WWW-Authenticate'] == unknown.headers['WWW-Authenticate']
