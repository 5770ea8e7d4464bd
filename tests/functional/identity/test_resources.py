"""Create / read / list / update / delete round trips of every identity resource.

What the database must get right: each write is visible to the next
request (whichever worker answers it), updates keep what they do not
change, and deletes leave nothing that a later read could trip on.
"""
from tests import servers


def created(response, key):
    assert response.status_code == 201, response.text
    assert response.headers['Content-Type'] == 'application/json'
    return response.json()[key]


def ok(response, key=None):
    assert response.status_code == 200, response.text
    return response.json()[key] if key else response.json()


def gone(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.text
    return response


def test_project_round_trip(admin):
    name = servers.unique_name('project')
    project = created(admin.post('/v3/projects', json={'project': {
        'name': name, 'description': 'first', 'tags': ['a', 'b'], 'enabled': True,
        'email': 'ops@example.com', 'parent_id': None}}), 'project')
    assert project['name'] == name
    assert project['domain_id'] == 'default'
    assert project['email'] == 'ops@example.com'
    path = f"/v3/projects/{project['id']}"
    assert ok(admin.get(path), 'project') == project
    assert project['links']['self'].endswith(path)

    listed = ok(admin.get('/v3/projects', params={'name': name}), 'projects')
    assert [p['id'] for p in listed] == [project['id']]
    assert project['id'] in [p['id'] for p in ok(admin.get(
        '/v3/projects', params={'tags': 'a,b'}), 'projects')]

    updated = ok(admin.patch(path, json={'project': {'description': 'second', 'tags': ['c'],
                                                     'enabled': False}}), 'project')
    assert (updated['description'], updated['tags'], updated['enabled']) == \
        ('second', ['c'], False)
    assert updated['name'] == name and updated['email'] == 'ops@example.com'
    assert ok(admin.get(path), 'project') == updated
    disabled = ok(admin.get('/v3/projects', params={'name': name, 'enabled': 'false'}),
                  'projects')
    assert [p['id'] for p in disabled] == [project['id']]

    assert admin.delete(path).status_code == 204
    gone(admin, path)
    assert ok(admin.get('/v3/projects', params={'name': name}), 'projects') == []
    assert admin.delete(path).status_code == 404


def test_project_hierarchy(admin):
    parent = created(admin.post('/v3/projects', json={'project': {
        'name': servers.unique_name('parent')}}), 'project')
    child = created(admin.post('/v3/projects', json={'project': {
        'name': servers.unique_name('child'), 'parent_id': parent['id']}}), 'project')
    assert child['parent_id'] == parent['id']
    children = ok(admin.get('/v3/projects', params={'parent_id': parent['id']}), 'projects')
    assert [p['id'] for p in children] == [child['id']]
    assert admin.delete(f"/v3/projects/{parent['id']}").status_code == 403
    assert admin.delete(f"/v3/projects/{child['id']}").status_code == 204
    assert admin.delete(f"/v3/projects/{parent['id']}").status_code == 204


def test_user_round_trip(identity, admin):
    project = created(admin.post('/v3/projects', json={'project': {
        'name': servers.unique_name('project')}}), 'project')
    name = servers.unique_name('user')
    user = created(admin.post('/v3/users', json={'user': {
        'name': name, 'password': 'secret-1', 'email': 'u@example.com',
        'default_project_id': project['id'], 'description': None}}), 'user')
    assert 'password' not in user and 'password_hash' not in str(user)
    assert (user['name'], user['enabled'], user['email'], user['default_project_id']) == \
        (name, True, 'u@example.com', project['id'])
    path = f"/v3/users/{user['id']}"
    assert ok(admin.get(path), 'user') == user
    assert [u['id'] for u in ok(admin.get('/v3/users', params={'name': name}), 'users')] == \
        [user['id']]

    updated = ok(admin.patch(path, json={'user': {'email': 'v@example.com',
                                                  'password': 'secret-2'}}), 'user')
    assert updated['email'] == 'v@example.com' and updated['name'] == name
    anonymous = identity.anonymous()
    assert anonymous.post('/v3/auth/tokens', json=servers.password_auth(
        name, 'secret-1')).status_code == 401
    unscoped = anonymous.post('/v3/auth/tokens', json=servers.password_auth(name, 'secret-2'))
    assert unscoped.status_code == 201
    # No role on the default project yet: the token is unscoped.
    assert 'project' not in unscoped.json()['token']

    assert admin.delete(path).status_code == 204
    gone(admin, path)
    assert anonymous.post('/v3/auth/tokens', json=servers.password_auth(
        name, 'secret-2')).status_code == 401


def test_group_membership_gives_roles(identity, admin, role_ids, make_account):
    account = make_account(roles=())
    group = created(admin.post('/v3/groups', json={'group': {
        'name': servers.unique_name('group'), 'description': 'operators'}}), 'group')
    group_path = f"/v3/groups/{group['id']}"
    assert ok(admin.get(group_path), 'group') == group
    renamed = ok(admin.patch(group_path, json={'group': {'description': 'ops'}}), 'group')
    assert renamed['description'] == 'ops' and renamed['name'] == group['name']

    member_path = f'{group_path}/users/{account.user_id}'
    assert admin.put(member_path).status_code == 204
    assert admin.put(member_path).status_code == 204  # idempotent
    assert admin.head(member_path).status_code == 204
    assert [u['id'] for u in ok(admin.get(f'{group_path}/users'), 'users')] == \
        [account.user_id]
    assert [g['id'] for g in ok(admin.get(f'/v3/users/{account.user_id}/groups'),
                                'groups')] == [group['id']]

    grant = f"/v3/projects/{account.project_id}/groups/{group['id']}/roles/{role_ids['member']}"
    assert admin.put(grant).status_code == 204
    issued = identity.anonymous().post('/v3/auth/tokens', json={'auth': {
        'identity': servers.password_auth(account.name, account.password)['auth']['identity'],
        'scope': {'project': {'id': account.project_id}}}})
    assert issued.status_code == 201, issued.text
    assert {r['name'] for r in issued.json()['token']['roles']} == {'member', 'reader'}
    token = issued.headers['X-Subject-Token']

    effective = ok(admin.get('/v3/role_assignments', params={
        'user.id': account.user_id, 'effective': '', 'include_names': 'True'}),
        'role_assignments')
    assert {(a['role']['name'], a['scope']['project']['name']) for a in effective} == \
        {('member', account.project_name), ('reader', account.project_name)}
    assert all(a['links']['membership'].endswith(f"/groups/{group['id']}/users/"
                                                 f"{account.user_id}") for a in effective)

    # Leaving the group takes the role away, and the token that carried it.
    assert admin.delete(member_path).status_code == 204
    assert admin.head(member_path).status_code == 404
    assert admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token}).status_code == 404

    assert admin.delete(group_path).status_code == 204
    gone(admin, group_path)
    assert admin.get('/v3/role_assignments', params={'group.id': group['id']}).json()[
        'role_assignments'] == []


def test_role_round_trip_and_implications(admin):
    name = servers.unique_name('role')
    role = created(admin.post('/v3/roles', json={'role': {'name': name}}), 'role')
    path = f"/v3/roles/{role['id']}"
    assert ok(admin.get(path), 'role') == role
    assert [r['id'] for r in ok(admin.get('/v3/roles', params={'name': name}), 'roles')] == \
        [role['id']]
    assert ok(admin.patch(path, json={'role': {'description': 'd'}}), 'role')['description'] \
        == 'd'

    implied = created(admin.post('/v3/roles', json={'role': {
        'name': servers.unique_name('implied')}}), 'role')
    rule = f"{path}/implies/{implied['id']}"
    assert admin.put(rule).status_code == 201
    assert ok(admin.get(rule))['role_inference']['implies']['id'] == implied['id']
    assert [r['id'] for r in ok(admin.get(f'{path}/implies'))['role_inference']['implies']] \
        == [implied['id']]
    # A loop is refused.
    assert admin.put(f"/v3/roles/{implied['id']}/implies/{role['id']}").status_code == 400
    assert admin.delete(rule).status_code == 204
    assert admin.get(rule).status_code == 404

    assert admin.delete(path).status_code == 204
    gone(admin, path)


def test_grants_and_role_assignments(admin, role_ids, make_account):
    account = make_account(roles=('member',))
    base = f'/v3/projects/{account.project_id}/users/{account.user_id}/roles'
    assert admin.head(f"{base}/{role_ids['member']}").status_code == 204
    assert admin.head(f"{base}/{role_ids['admin']}").status_code == 404
    assert admin.put(f"{base}/{role_ids['reader']}").status_code == 204
    assert {r['name'] for r in ok(admin.get(base), 'roles')} == {'member', 'reader'}

    listed = ok(admin.get('/v3/role_assignments', params={
        'scope.project.id': account.project_id, 'include_names': '1'}), 'role_assignments')
    assert sorted((a['user']['name'], a['role']['name']) for a in listed) == \
        [(account.name, 'member'), (account.name, 'reader')]
    entry = next(a for a in listed if a['role']['name'] == 'member')
    assert entry['scope']['project'] == {'id': account.project_id, 'name': account.project_name,
                                         'domain': {'id': 'default', 'name': 'Default'}}
    assert entry['links']['assignment'].endswith(f"{base}/{role_ids['member']}")
    by_role = ok(admin.get('/v3/role_assignments', params={
        'scope.project.id': account.project_id, 'role.id': role_ids['reader']}),
        'role_assignments')
    assert [a['role']['id'] for a in by_role] == [role_ids['reader']]

    domain = f"/v3/domains/default/users/{account.user_id}/roles/{role_ids['reader']}"
    assert admin.put(domain).status_code == 204
    on_domain = ok(admin.get('/v3/role_assignments', params={
        'user.id': account.user_id, 'scope.domain.id': 'default'}), 'role_assignments')
    assert [a['scope'] for a in on_domain] == [{'domain': {'id': 'default'}}]
    system = f"/v3/system/users/{account.user_id}/roles/{role_ids['reader']}"
    assert admin.put(system).status_code == 204
    assert admin.head(system).status_code == 204
    on_system = ok(admin.get('/v3/role_assignments', params={
        'user.id': account.user_id, 'scope.system': 'all'}), 'role_assignments')
    assert [a['scope'] for a in on_system] == [{'system': {'all': True}}]

    for path in (f"{base}/{role_ids['reader']}", domain, system):
        assert admin.delete(path).status_code == 204
        assert admin.head(path).status_code == 404
        assert admin.delete(path).status_code == 404
    remaining = ok(admin.get('/v3/role_assignments', params={'user.id': account.user_id}),
                   'role_assignments')
    assert [a['role']['id'] for a in remaining] == [role_ids['member']]


def test_regions_services_and_endpoints_reach_the_catalog(identity, admin, make_account):
    region_id = servers.unique_name('Region')
    region = admin.put(f'/v3/regions/{region_id}', json={'region': {'description': 'r'}})
    assert created(region, 'region')['id'] == region_id
    child = created(admin.post('/v3/regions', json={'region': {
        'parent_region_id': region_id}}), 'region')
    assert ok(admin.get(f"/v3/regions/{child['id']}"), 'region')['parent_region_id'] == \
        region_id
    assert [r['id'] for r in ok(admin.get('/v3/regions', params={
        'parent_region_id': region_id}), 'regions')] == [child['id']]
    assert ok(admin.patch(f'/v3/regions/{region_id}', json={'region': {
        'description': 'renamed'}}), 'region')['description'] == 'renamed'

    service_type = servers.unique_name('type')
    service = created(admin.post('/v3/services', json={'service': {
        'type': service_type, 'name': 'probe', 'description': None}}), 'service')
    service_path = f"/v3/services/{service['id']}"
    assert ok(admin.get(service_path), 'service') == service
    assert [s['id'] for s in ok(admin.get('/v3/services', params={'type': service_type}),
                                'services')] == [service['id']]
    endpoint = created(admin.post('/v3/endpoints', json={'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'region_id': region_id,
        'url': 'http://probe.example:1234/v1/$(project_id)s'}}), 'endpoint')
    assert (endpoint['region'], endpoint['region_id']) == (region_id, region_id)
    endpoint_path = f"/v3/endpoints/{endpoint['id']}"
    assert ok(admin.get(endpoint_path), 'endpoint') == endpoint
    assert [e['id'] for e in ok(admin.get('/v3/endpoints', params={
        'service_id': service['id'], 'interface': 'public'}), 'endpoints')] == [endpoint['id']]

    account = make_account(roles=('member',))

    def catalog_entry():
        entries = ok(account.client.get('/v3/auth/catalog'), 'catalog')
        return next((s for s in entries if s['type'] == service_type), None)

    entry = catalog_entry()
    assert entry['name'] == 'probe'
    assert entry['endpoints'] == [{
        'id': endpoint['id'], 'interface': 'public', 'region': region_id,
        'region_id': region_id, 'url': f'http://probe.example:1234/v1/{account.project_id}'}]

    ok(admin.patch(endpoint_path, json={'endpoint': {'url': 'http://probe.example:99/'}}))
    assert catalog_entry()['endpoints'][0]['url'] == 'http://probe.example:99/'
    ok(admin.patch(service_path, json={'service': {'enabled': False}}))
    assert catalog_entry() is None

    assert admin.delete(f'/v3/regions/{region_id}').status_code in (400, 403, 409)
    assert admin.delete(endpoint_path).status_code == 204
    gone(admin, endpoint_path)
    assert admin.delete(service_path).status_code == 204
    gone(admin, service_path)
    assert admin.delete(f"/v3/regions/{child['id']}").status_code == 204
    assert admin.delete(f'/v3/regions/{region_id}').status_code == 204
    gone(admin, f'/v3/regions/{region_id}')


def test_application_credential_round_trip_and_auth(identity, admin, make_account):
    account = make_account(roles=('member',))
    base = f'/v3/users/{account.user_id}/application_credentials'
    credential = created(account.client.post(base, json={'application_credential': {
        'name': servers.unique_name('appcred'), 'roles': [{'name': 'reader'}],
        'description': None}}), 'application_credential')
    secret = credential.pop('secret')
    assert credential['project_id'] == account.project_id
    assert [r['name'] for r in credential['roles']] == ['reader']
    assert credential['unrestricted'] is False
    path = f"{base}/{credential['id']}"
    assert ok(account.client.get(path), 'application_credential') == credential
    assert [c['id'] for c in ok(account.client.get(base), 'application_credentials')] == \
        [credential['id']]

    anonymous = identity.anonymous()
    by_id = anonymous.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['application_credential'],
        'application_credential': {'id': credential['id'], 'secret': secret}}}})
    assert by_id.status_code == 201, by_id.text
    token_body = by_id.json()['token']
    assert token_body['project']['id'] == account.project_id
    assert [r['name'] for r in token_body['roles']] == ['reader']
    assert token_body['application_credential']['id'] == credential['id']
    assert token_body['methods'] == ['application_credential']
    app_token = by_id.headers['X-Subject-Token']
    by_name = anonymous.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['application_credential'], 'application_credential': {
            'name': credential['name'], 'secret': secret,
            'user': {'name': account.name, 'domain': {'name': 'Default'}}}}}})
    assert by_name.status_code == 201, by_name.text
    wrong = anonymous.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['application_credential'],
        'application_credential': {'id': credential['id'], 'secret': secret + 'x'}}}})
    assert wrong.status_code == 401

    # A restricted credential cannot mint more credentials (OSSA-2026-005 class).
    restricted = servers.ApiClient(identity.url, app_token)
    refused = restricted.post(base, json={'application_credential': {
        'name': servers.unique_name('escalate')}})
    assert refused.status_code == 403, refused.text
    # Nor exchange its token for another one.
    rescoped = anonymous.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['token'], 'token': {'id': app_token}}}})
    assert rescoped.status_code in (401, 403)

    assert account.client.delete(path).status_code == 204
    assert account.client.get(path).status_code == 404
    assert admin.get('/v3/auth/tokens', headers={'X-Subject-Token': app_token}).status_code \
        == 404
    assert anonymous.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['application_credential'],
        'application_credential': {'id': credential['id'], 'secret': secret}}}}).status_code \
        == 401
