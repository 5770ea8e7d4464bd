"""``/v3/users/{id}/application_credentials`` and authenticating with them."""
import datetime

import pytest

from common.db.types import utcnow
from tests.unit.identity import factories as f

TOKENS = '/v3/auth/tokens'


@pytest.fixture
def owner(env):
    """A user who is admin (so also member and reader) on a project, with a token there."""
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, project=project)
    return user, project, f.token_for(env.backend, user, project=project)


def _create(api, user, token, **attrs):
    attrs.setdefault('name', f.unique('cred'))
    return api.post(f'/v3/users/{user.id}/application_credentials', token=token,
                    json={'application_credential': attrs})


def _login(api, credential_id, secret):
    return api.post(TOKENS, json=f.app_credential_auth(credential_id, secret))


def test_create_shows_the_secret_once(api, owner, notifications):
    user, project, token = owner
    response = _create(api, user, token, description='ci')
    assert response.status_code == 201
    body = response.json['application_credential']
    assert body['secret'] and body['project_id'] == project.id and body['user_id'] == user.id
    assert body['unrestricted'] is False and body['expires_at'] is None
    assert sorted(r['name'] for r in body['roles']) == ['admin', 'member', 'reader']
    assert body['links']['self'].endswith(
        f"/v3/users/{user.id}/application_credentials/{body['id']}")
    shown = api.get(f"/v3/users/{user.id}/application_credentials/{body['id']}", token=token)
    assert shown.status_code == 200
    assert 'secret' not in shown.json['application_credential']
    listed = api.get(f'/v3/users/{user.id}/application_credentials', token=token)
    assert [c['id'] for c in listed.json['application_credentials']] == [body['id']]
    assert all('secret' not in c for c in listed.json['application_credentials'])
    assert notifications.events() == [('identity.application_credential.created',
                                       {'resource_info': body['id']})]


def test_chosen_secret(api, owner):
    user, _, token = owner
    response = _create(api, user, token, secret='my own secret')
    assert response.json['application_credential']['secret'] == 'my own secret'
    assert _login(api, response.json['application_credential']['id'],
                  'my own secret').status_code == 201


def test_roles_must_be_a_subset_of_the_users(api, env, owner):
    user, _, token = owner
    custom = f.make_role(env.backend)
    response = _create(api, user, token, roles=[{'name': 'member'}, {'id': custom.id}])
    assert response.status_code == 400
    assert custom.id in response.json['error']['message']
    assert api.get(f'/v3/users/{user.id}/application_credentials',
                   token=token).json['application_credentials'] == []


def test_roles_may_not_exceed_the_creating_token(api, env):
    """A reader's token cannot mint an admin credential, even if the user is admin."""
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, project=project)
    restricted = f.make_application_credential(env.backend, user, project, roles=['reader'],
                                               unrestricted=True)
    reader_token = _login(api, restricted[0].id, restricted[1]).headers['X-Subject-Token']
    response = _create(api, user, reader_token, roles=[{'name': 'admin'}])
    assert response.status_code == 400


def test_token_carries_the_credential_and_only_its_roles(api, owner):
    user, project, token = owner
    created = _create(api, user, token, roles=[{'name': 'reader'}]).json
    credential = created['application_credential']
    response = _login(api, credential['id'], credential['secret'])
    assert response.status_code == 201
    body = response.json['token']
    assert body['methods'] == ['application_credential']
    assert body['project']['id'] == project.id
    assert [r['name'] for r in body['roles']] == ['reader']
    assert body['application_credential'] == {'id': credential['id'],
                                              'name': credential['name'],
                                              'restricted': True}
    validated = api.get(TOKENS, token=token,
                        headers={'X-Subject-Token': response.headers['X-Subject-Token']})
    assert validated.json == response.json


def test_authenticate_by_name_and_user(api, env, owner):
    user, _, token = owner
    credential = _create(api, user, token).json['application_credential']
    body = {'auth': {'identity': {'methods': ['application_credential'],
                                  'application_credential': {
                                      'name': credential['name'], 'secret': credential['secret'],
                                      'user': {'id': user.id}}}}}
    assert api.post(TOKENS, json=body).status_code == 201
    body['auth']['identity']['application_credential']['user'] = {
        'name': user.name, 'domain': {'id': 'default'}}
    assert api.post(TOKENS, json=body).status_code == 201


def test_wrong_secret_or_unknown_credential_is_401(api, owner):
    user, _, token = owner
    credential = _create(api, user, token).json['application_credential']
    responses = [_login(api, credential['id'], 'wrong'), _login(api, 'no-such-id', 'x')]
    assert [r.status_code for r in responses] == [401, 401]
    assert responses[0].get_data() == responses[1].get_data()


def test_credential_of_a_disabled_user_is_refused(api, env, owner, admin_token):
    user, project, _ = owner
    credential, secret = f.make_application_credential(env.backend, user, project)
    api.patch(f'/v3/users/{user.id}', token=admin_token, json={'user': {'enabled': False}})
    assert _login(api, credential.id, secret).status_code == 401


def test_expired_credential_is_refused(api, env, owner):
    user, project, _ = owner
    past = utcnow() - datetime.timedelta(minutes=1)
    credential, secret = f.make_application_credential(env.backend, user, project,
                                                       expires_at=past)
    assert _login(api, credential.id, secret).status_code == 401


def test_token_does_not_outlive_the_credential(api, env, owner):
    user, project, token = owner
    expiry = (utcnow() + datetime.timedelta(minutes=5)).replace(microsecond=0)
    created = _create(api, user, token, expires_at=expiry.isoformat() + 'Z')
    assert created.status_code == 201
    credential = created.json['application_credential']
    assert credential['expires_at'] == expiry.strftime('%Y-%m-%dT%H:%M:%S.000000Z')
    body = _login(api, credential['id'], credential['secret']).json['token']
    assert body['expires_at'] == credential['expires_at']


def test_token_of_a_credential_that_expired_since_is_refused(api, env, owner):
    user, project, token = owner
    credential, secret = f.make_application_credential(env.backend, user, project)
    app_token = _login(api, credential.id, secret).headers['X-Subject-Token']
    with env.backend.writer() as session:  # time passes
        session.get(type(credential), credential.id).expires_at = \
            utcnow() - datetime.timedelta(seconds=1)
    assert api.get(TOKENS, token=token, headers={'X-Subject-Token': app_token}).status_code == 404


@pytest.mark.parametrize('expires_at, status', [('2001-01-01T00:00:00Z', 400),
                                                ('next tuesday', 400)])
def test_bad_expiry_is_refused(api, owner, expires_at, status):
    user, _, token = owner
    response = _create(api, user, token, expires_at=expires_at)
    assert response.status_code == status


def test_restricted_credential_cannot_manage_credentials(api, env, owner):
    user, project, token = owner
    credential, secret = f.make_application_credential(env.backend, user, project)
    app_token = _login(api, credential.id, secret).headers['X-Subject-Token']
    response = _create(api, user, app_token)
    assert response.status_code == 403
    response = api.delete(f'/v3/users/{user.id}/application_credentials/{credential.id}',
                          token=app_token)
    assert response.status_code == 403
    # Reading is fine.
    assert api.get(f'/v3/users/{user.id}/application_credentials',
                   token=app_token).status_code == 200
    assert len(api.get(f'/v3/users/{user.id}/application_credentials',
                       token=token).json['application_credentials']) == 1


def test_unrestricted_credential_can_manage_credentials(api, env, owner):
    user, project, _ = owner
    credential, secret = f.make_application_credential(env.backend, user, project,
                                                       unrestricted=True)
    app_token = _login(api, credential.id, secret).headers['X-Subject-Token']
    assert _create(api, user, app_token).status_code == 201


def test_credential_token_cannot_be_rescoped_or_exchanged(api, env, owner):
    user, project, _ = owner
    elsewhere = f.make_project(env.backend)
    f.grant(env.backend, 'member', user=user, project=elsewhere)
    credential, secret = f.make_application_credential(env.backend, user, project)
    app_token = _login(api, credential.id, secret).headers['X-Subject-Token']
    exchanged = api.post(TOKENS, json=f.token_auth(app_token, scope=f.scope_of(project=elsewhere)))
    assert exchanged.status_code == 403
    body = f.app_credential_auth(credential.id, secret)
    body['auth']['scope'] = f.scope_of(project=elsewhere)
    assert api.post(TOKENS, json=body).status_code == 403
    body['auth']['scope'] = f.scope_of(project=project)
    assert api.post(TOKENS, json=body).status_code == 201


def test_duplicate_name_is_409(api, owner):
    user, _, token = owner
    assert _create(api, user, token, name='dup').status_code == 201
    response = _create(api, user, token, name='dup')
    assert response.status_code == 409
    assert len(api.get(f'/v3/users/{user.id}/application_credentials?name=dup',
                       token=token).json['application_credentials']) == 1


def test_needs_a_project_scoped_token(api, env):
    user = f.make_user(env.backend)
    f.grant(env.backend, 'reader', user=user, system=True)
    for token in (f.token_for(env.backend, user), f.token_for(env.backend, user, system=True)):
        assert _create(api, user, token).status_code == 400


def test_other_users_credential_is_404(api, env, owner):
    user, project, token = owner
    other = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=other, project=project)
    theirs, _ = f.make_application_credential(env.backend, other, project)
    response = api.get(f'/v3/users/{user.id}/application_credentials/{theirs.id}', token=token)
    assert response.status_code == 404
    response = api.delete(f'/v3/users/{user.id}/application_credentials/{theirs.id}',
                          token=token)
    assert response.status_code == 404


def test_access_rules_are_not_supported(api, owner):
    user, _, token = owner
    response = _create(api, user, token, access_rules=[{'path': '/v2.1/servers',
                                                        'method': 'GET', 'service': 'compute'}])
    assert response.status_code == 400
    assert "'application_credential.access_rules'" in response.json['error']['message']


def test_deleting_the_project_deletes_its_credentials(api, env, owner, admin_token):
    user, project, token = owner
    credential, secret = f.make_application_credential(env.backend, user, project)
    assert api.delete(f'/v3/projects/{project.id}', token=admin_token).status_code == 204
    assert _login(api, credential.id, secret).status_code == 401
