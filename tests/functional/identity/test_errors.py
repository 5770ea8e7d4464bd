"""Bad requests get the right 4xx, in Keystone's error body, never a 500.

Every error answer is ``{"error": {"code", "title", "message"}}`` with
``Content-Type: application/json`` (the SDK parses error JSON only then).
"""
import json
import socket

import pytest

from tests import servers


def error_of(response, code):
    assert response.status_code == code, response.text
    assert response.headers['Content-Type'] == 'application/json'
    error = response.json()['error']
    assert error['code'] == code
    assert error['title'] and error['message']
    return error['message']


@pytest.mark.parametrize('path', ['/v3/projects', '/v3/users', '/v3/auth/tokens',
                                  '/v3/regions'])
def test_malformed_json_names_the_problem(admin, path):
    response = admin.post(path, data='{"project": {"name": ',
                          headers={'Content-Type': 'application/json'})
    message = error_of(response, 400)
    assert 'Malformed request body' in message
    assert 'line 1 column' in message  # where the parser stopped
    empty = admin.post(path, data='', headers={'Content-Type': 'application/json'})
    assert 'empty' in error_of(empty, 400)


@pytest.mark.parametrize('path, body, field', [
    ('/v3/projects', {'project': {'name': 5}}, "'project.name'"),
    ('/v3/projects', {'project': {'description': 'no name'}}, "'project.name'"),
    ('/v3/projects', {'project': {'name': 'x', 'tags': ['a/b']}}, "'project.tags.0'"),
    ('/v3/projects', [], 'the request body'),
    ('/v3/users', {'user': {'name': 'x', 'enabled': 'yes'}}, "'user.enabled'"),
    ('/v3/roles', {'role': {'name': ''}}, "'role.name'"),
    ('/v3/endpoints', {'endpoint': {'service_id': 'x', 'interface': 'everywhere',
                                    'url': 'http://h/'}}, "'endpoint.interface'"),
    ('/v3/auth/tokens', {'auth': {'identity': {'password': {}}}}, "'auth.identity.methods'"),
    ('/v3/auth/tokens', {'auth': {'identity': {'methods': ['password']},
                                  'scope': {'project': {'id': 'x'}, 'domain': {'id': 'y'}}}},
     "'auth.scope'"),
])
def test_schema_violation_names_the_field(admin, path, body, field):
    message = error_of(admin.post(path, json=body), 400)
    assert message.startswith(f'Invalid input for field {field}'), message


def test_duplicates_conflict(admin, make_account):
    account = make_account(roles=('member',))
    for path, key, body in [
        ('/v3/projects', 'project', {'name': account.project_name}),
        ('/v3/users', 'user', {'name': account.name}),
        ('/v3/groups', 'group', {'name': servers.unique_name('group')}),
        ('/v3/roles', 'role', {'name': servers.unique_name('role')}),
        ('/v3/domains', 'domain', {'name': servers.unique_name('domain')}),
        (f'/v3/users/{account.user_id}/application_credentials', 'application_credential',
         {'name': servers.unique_name('appcred')}),
    ]:
        client = account.client if 'application_credentials' in path else admin
        first = client.post(path, json={key: body})
        if first.status_code != 409:  # the project and user exist already
            assert first.status_code == 201, first.text
        message = error_of(client.post(path, json={key: body}), 409)
        assert body['name'] in message
    region_id = servers.unique_name('Region')
    assert admin.put(f'/v3/regions/{region_id}', json={'region': {}}).status_code == 201
    error_of(admin.put(f'/v3/regions/{region_id}', json={'region': {}}), 409)
    renamed = admin.patch(f'/v3/projects/{account.project_id}',
                          json={'project': {'name': 'admin'}})
    error_of(renamed, 409)


@pytest.mark.parametrize('collection', [
    'projects', 'users', 'groups', 'roles', 'domains', 'regions', 'services', 'endpoints',
])
def test_unknown_id_is_404(admin, collection):
    unknown = servers.unique_name('missing')
    message = error_of(admin.get(f'/v3/{collection}/{unknown}'), 404)
    assert unknown in message
    error_of(admin.delete(f'/v3/{collection}/{unknown}'), 404)
    change = {'url': 'http://h/'} if collection == 'endpoints' else {'description': 'x'}
    error_of(admin.patch(f'/v3/{collection}/{unknown}', json={collection[:-1]: change}), 404)


def test_unknown_ids_in_grants_and_members_are_404(admin, role_ids, make_account):
    account = make_account(roles=('member',))
    missing = servers.unique_name('missing')
    project = f'/v3/projects/{account.project_id}'
    for path in (f'{project}/users/{account.user_id}/roles/{missing}',
                 f'{project}/users/{missing}/roles/{role_ids["member"]}',
                 f'/v3/projects/{missing}/users/{account.user_id}/roles/{role_ids["member"]}',
                 f'{project}/groups/{missing}/roles/{role_ids["member"]}',
                 f'/v3/groups/{missing}/users/{account.user_id}'):
        error_of(admin.put(path), 404)
        error_of(admin.delete(path), 404)
    error_of(admin.get(f'/v3/users/{account.user_id}/application_credentials/{missing}'), 404)


def test_get_by_name_is_404(admin, make_account):
    """Clients look a name up as an id first and fall back to ?name= only on 404."""
    account = make_account(roles=('member',))
    group_name = servers.unique_name('group')
    assert admin.post('/v3/groups', json={'group': {'name': group_name}}).status_code == 201
    for path in (f'/v3/projects/{account.project_name}', f'/v3/users/{account.name}',
                 '/v3/roles/member', '/v3/roles/admin', f'/v3/groups/{group_name}',
                 '/v3/domains/Default', '/v3/services/keystone', '/v3/projects/admin',
                 '/v3/users/admin'):
        error_of(admin.get(path), 404)
    # ... and the name filter finds exactly the one.
    assert [p['id'] for p in admin.get('/v3/projects', params={
        'name': account.project_name}).json()['projects']] == [account.project_id]


def test_http_level_errors(identity, admin):
    unmatched = admin.get('/v3/no-such-collection')
    error_of(unmatched, 404)
    wrong_method = admin.put('/v3/projects', json={'project': {'name': 'x'}})
    error_of(wrong_method, 405)
    assert 'POST' in wrong_method.headers['Allow']
    status, body = _post_announcing_length(identity, admin.token, 2 * 1024 * 1024)
    assert status == 413
    assert json.loads(body)['error']['code'] == 413
    bad_limit = admin.get('/v3/projects', params={'limit': 'many'})
    assert 'limit' in error_of(bad_limit, 400)
    bad_marker = admin.get('/v3/projects', params={'marker': servers.unique_name('nope')})
    error_of(bad_marker, 400)
    bad_bool = admin.get('/v3/projects', params={'enabled': 'perhaps'})
    assert 'enabled' in error_of(bad_bool, 400)
    no_token = identity.anonymous().get('/v3/projects')
    error_of(no_token, 401)


def test_pagination_pages_through_everything(admin):
    prefix = servers.unique_name('page')
    ids = set()
    for i in range(5):
        ids.add(admin.post('/v3/roles', json={'role': {'name': f'{prefix}-{i}'}})
                .json()['role']['id'])
    seen, url, pages = [], '/v3/roles?limit=2', 0
    while url:
        body = admin.get(url.replace(admin.base_url, '')).json()
        seen += [r['id'] for r in body['roles']]
        url, pages = body['links']['next'], pages + 1
        assert pages < 100
    assert ids <= set(seen)
    assert len(seen) == len(set(seen))  # no role on two pages


def _post_announcing_length(identity, token, length):
    """POST a JSON body of ``length`` bytes, but send only the headers.

    The API must refuse it from ``Content-Length`` alone, before reading
    it.  (Over requests, a client still sending a large body often sees the
    connection reset instead of the 413: gunicorn drains at most 64 KiB of
    an unread body before closing.)
    """
    with socket.create_connection(('127.0.0.1', identity.port), timeout=30) as sock:
        sock.sendall((f'POST /v3/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                      f'X-Auth-Token: {token}\r\nContent-Type: application/json\r\n'
                      f'Content-Length: {length}\r\n\r\n{{"project": ').encode())
        received = b''
        while b'\r\n\r\n' not in received:
            received += sock.recv(65536)
        head, body = received.split(b'\r\n\r\n', 1)
        declared = int(next(line.split(b':')[1] for line in head.split(b'\r\n')
                            if line.lower().startswith(b'content-length')))
        while len(body) < declared:
            body += sock.recv(65536)
    return int(head.split()[1]), body.decode()
