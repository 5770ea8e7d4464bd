"""The unmodified ``openstack`` CLI (python-openstackclient) against the identity API.

Every command runs as a subprocess with the all-in-one's clouds.yaml; the
results are checked against what the identity API itself reports.
"""
import datetime

from tests.compat.conftest import MEMBER_CLOUD, find_by_name

PASSWORD = 'compat-Secret-1'


def _user_auth_args(cloud, username, password, project):
    """CLI options authenticating as ``username`` with a password, scoped to ``project``."""
    return ['--os-auth-url', cloud.auth_url, '--os-identity-api-version', '3',
            '--os-username', username, '--os-password', password,
            '--os-user-domain-name', 'Default',
            '--os-project-name', project, '--os-project-domain-name', 'Default']


def _validate(admin_api, token_id):
    """The identity API's view of ``token_id`` (asserted valid)."""
    response = admin_api.get('/v3/auth/tokens', headers={'X-Subject-Token': token_id})
    assert response.status_code == 200, response.text
    return response.json()['token']


def _api_project_and_member(admin_api, cleanup, unique_name):
    """A new project and a user with ``member`` on it, made through the API."""
    project = admin_api.post('/v3/projects', json={'project': {
        'name': unique_name('project'), 'domain_id': 'default'}})
    assert project.status_code == 201, project.text
    project = project.json()['project']
    cleanup.project(project['id'])
    user = admin_api.post('/v3/users', json={'user': {
        'name': unique_name('user'), 'password': PASSWORD, 'domain_id': 'default',
        'default_project_id': project['id']}})
    assert user.status_code == 201, user.text
    user = user.json()['user']
    cleanup.user(user['id'])
    member = find_by_name(admin_api, 'roles', 'member')
    grant = admin_api.put(f'/v3/projects/{project["id"]}/users/{user["id"]}/roles/{member["id"]}')
    assert grant.status_code == 204, grant.text
    return project, user


def test_token_issue(cli, admin_cloud, admin_api):
    issued = cli.json('token', 'issue')

    assert set(issued) >= {'id', 'expires', 'project_id', 'user_id'}
    expires = datetime.datetime.strptime(issued['expires'], '%Y-%m-%dT%H:%M:%S%z')
    assert expires > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
    token = _validate(admin_api, issued['id'])
    assert token['user']['id'] == issued['user_id']
    assert token['user']['name'] == admin_cloud.username
    assert token['project']['id'] == issued['project_id']
    assert token['project']['name'] == admin_cloud.project_name
    assert 'admin' in {role['name'] for role in token['roles']}


def test_catalog_list(cli, admin_cloud, admin_api):
    entries = cli.json('catalog', 'list')

    identity = [entry for entry in entries if entry['Type'] == 'identity']
    assert len(identity) == 1, entries
    public = [e for e in identity[0]['Endpoints'] if e['interface'] == 'public']
    assert public, identity
    assert public[0]['url'].rstrip('/') in (admin_cloud.root, f'{admin_cloud.root}/v3')
    if admin_cloud.region:
        assert public[0]['region'] == admin_cloud.region
    # The same services as the API's own catalog for this token.
    api_catalog = admin_api.get('/v3/auth/catalog').json()['catalog']
    assert sorted(e['Type'] for e in entries) == sorted(s['type'] for s in api_catalog)


def test_project_create_list_show_delete(cli, admin_api, cleanup, unique_name):
    name = unique_name('project')

    created = cli.json('project', 'create', '--description', 'compat test', name)
    cleanup.project(created['id'])
    assert created['name'] == name
    assert created['enabled'] is True
    assert created['domain_id'] == 'default'
    assert created['description'] == 'compat test'
    assert admin_api.get(f'/v3/projects/{created["id"]}').json()['project']['name'] == name

    listed = cli.json('project', 'list')
    assert {'ID': created['id'], 'Name': name} in listed

    # By name: GET /v3/projects/<name> answers 404, then the CLI lists ?name=<name>.
    assert admin_api.get(f'/v3/projects/{name}').status_code == 404
    assert cli.json('project', 'show', name)['id'] == created['id']
    assert cli.json('project', 'show', created['id'])['name'] == name

    deleted = cli.run('project', 'delete', name)
    assert deleted.stdout == ''
    assert admin_api.get(f'/v3/projects/{created["id"]}').status_code == 404
    gone = cli.run('project', 'show', name, check=False)
    assert gone.returncode == 1
    assert f'No Project found for {name}' in gone.stderr
    assert {'ID': created['id'], 'Name': name} not in cli.json('project', 'list')


def test_user_create_with_password_and_show(cli, admin_cloud, admin_api, cleanup, unique_name):
    project = cli.json('project', 'create', unique_name('project'))
    cleanup.project(project['id'])
    name = unique_name('user')

    created = cli.json('user', 'create', '--password', PASSWORD, '--project', project['name'],
                       '--email', 'compat@example.org', name)
    cleanup.user(created['id'])
    assert created['name'] == name
    assert created['default_project_id'] == project['id']
    assert created['domain_id'] == 'default'
    assert created['enabled'] is True
    assert 'password' not in created
    assert PASSWORD not in str(created)

    shown = cli.json('user', 'show', name)
    assert shown['id'] == created['id']
    assert shown['email'] == 'compat@example.org'
    assert shown['default_project_id'] == project['id']
    assert cli.json('user', 'show', created['id'])['name'] == name
    assert {'ID': created['id'], 'Name': name} in cli.json('user', 'list')

    # The password set through the CLI is the one that authenticates.
    response = admin_api.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {'id': created['id'],
                                                       'password': PASSWORD}}}}})
    assert response.status_code == 201, response.text
    wrong = admin_api.post('/v3/auth/tokens', json={'auth': {'identity': {
        'methods': ['password'], 'password': {'user': {'id': created['id'],
                                                       'password': 'not-it'}}}}})
    assert wrong.status_code == 401

    cli.run('user', 'delete', name)
    assert admin_api.get(f'/v3/users/{created["id"]}').status_code == 404


def test_role_add_and_assignment_list(cli, admin_cloud, cleanup, unique_name):
    project = cli.json('project', 'create', unique_name('project'))
    cleanup.project(project['id'])
    user = cli.json('user', 'create', '--password', PASSWORD, '--project', project['name'],
                    unique_name('user'))
    cleanup.user(user['id'])

    added = cli.run('role', 'add', '--user', user['name'], '--project', project['name'], 'member')
    assert added.stdout == ''

    named = cli.json('role', 'assignment', 'list', '--user', user['name'],
                     '--project', project['name'], '--names')
    assert named == [{'Role': 'member', 'User': f'{user["name"]}@Default', 'Group': '',
                      'Project': f'{project["name"]}@Default', 'Domain': '', 'System': '',
                      'Inherited': False}]
    by_id = cli.json('role', 'assignment', 'list', '--user', user['id'],
                     '--project', project['id'])
    assert len(by_id) == 1
    assert by_id[0]['User'] == user['id']
    assert by_id[0]['Project'] == project['id']
    assert by_id[0]['Role'] == cli.json('role', 'show', 'member')['id']

    # The new member can now log in to the project with the CLI.
    token = cli.json(*_user_auth_args(admin_cloud, user['name'], PASSWORD, project['name']),
                     'token', 'issue', cloud=None)
    assert token['user_id'] == user['id']
    assert token['project_id'] == project['id']

    cli.run('role', 'remove', '--user', user['name'], '--project', project['name'], 'member')
    assert cli.json('role', 'assignment', 'list', '--user', user['name'],
                    '--project', project['name'], '--names') == []


def test_application_credential_create_then_authenticate(cli, admin_cloud, admin_api,
                                                         cleanup, unique_name):
    project, user = _api_project_and_member(admin_api, cleanup, unique_name)
    as_user = _user_auth_args(admin_cloud, user['name'], PASSWORD, project['name'])
    name = unique_name('appcred')

    credential = cli.json(*as_user, 'application', 'credential', 'create',
                          '--description', 'compat test', name, cloud=None)
    assert credential['Name'] == name
    assert credential['Project ID'] == project['id']
    assert 'member' in {role['name'] for role in credential['Roles']}
    assert credential['Secret']
    assert credential['Unrestricted'] is False
    listed = cli.json(*as_user, 'application', 'credential', 'list', cloud=None)
    assert name in {c['Name'] for c in listed}
    assert 'Secret' not in listed[0]

    app_cred_args = ['--os-auth-type', 'v3applicationcredential',
                     '--os-auth-url', admin_cloud.auth_url, '--os-identity-api-version', '3',
                     '--os-application-credential-id', credential['ID'],
                     '--os-application-credential-secret', credential['Secret']]
    token = cli.json(*app_cred_args, 'token', 'issue', cloud=None)
    assert token['project_id'] == project['id']
    assert token['user_id'] == user['id']
    body = _validate(admin_api, token['id'])
    assert body['methods'] == ['application_credential']
    assert body['application_credential']['id'] == credential['ID']
    assert body['project']['id'] == project['id']
    assert 'member' in {role['name'] for role in body['roles']}

    # The credential can also be named, together with its user.
    by_name = cli.json('--os-auth-type', 'v3applicationcredential',
                       '--os-auth-url', admin_cloud.auth_url, '--os-identity-api-version', '3',
                       '--os-application-credential-name', name,
                       '--os-username', user['name'], '--os-user-domain-name', 'Default',
                       '--os-application-credential-secret', credential['Secret'],
                       'token', 'issue', cloud=None)
    assert by_name['project_id'] == project['id']

    # A wrong secret, and a deleted credential, no longer authenticate.
    wrong = cli.run(*app_cred_args[:-1], 'not-the-secret', 'token', 'issue', cloud=None,
                    check=False)
    assert wrong.returncode != 0
    assert '401' in wrong.stderr
    cli.run(*as_user, 'application', 'credential', 'delete', name, cloud=None)
    deleted = cli.run(*app_cred_args, 'token', 'issue', cloud=None, check=False)
    assert deleted.returncode != 0
    assert '401' in deleted.stderr
    # Deleting the credential revoked the tokens it had issued.
    assert admin_api.get('/v3/auth/tokens',
                         headers={'X-Subject-Token': token['id']}).status_code == 404


def test_token_revoke_then_refused(cli, member_cloud, admin_api):
    token_id, _ = member_cloud.issue_token()
    other_id, _ = member_cloud.issue_token()
    assert _validate(admin_api, token_id)['user']['name'] == member_cloud.username

    revoked = cli.run('token', 'revoke', token_id)
    assert revoked.stdout == ''

    for method in ('GET', 'HEAD'):
        response = admin_api.request(method, '/v3/auth/tokens',
                                     headers={'X-Subject-Token': token_id})
        assert response.status_code == 404, (method, response.text)
    # The revoked token no longer authenticates anything ...
    refused = admin_api.get('/v3/auth/projects', headers={'X-Auth-Token': token_id})
    assert refused.status_code == 401
    assert refused.headers['WWW-Authenticate'].startswith('Keystone uri=')
    # ... and revoking it again is refused too (it no longer exists).
    again = cli.run('token', 'revoke', token_id, check=False)
    assert again.returncode != 0
    assert '404' in again.stderr
    # Only that token was revoked: the user's other token still works.
    assert _validate(admin_api, other_id)['user']['name'] == member_cloud.username


def test_member_cannot_create_projects(cli, admin_api, cleanup, unique_name):
    name = unique_name('project')

    denied = cli.run('project', 'create', name, cloud=MEMBER_CLOUD, check=False)

    created = find_by_name(admin_api, 'projects', name)
    if created:
        cleanup.project(created['id'])
    assert denied.returncode != 0
    assert '403' in denied.stderr
    assert 'identity:create_project' in denied.stderr
    assert created is None


def test_member_sees_only_its_own_projects(cli, member_cloud, admin_cloud, admin_api, cleanup,
                                           unique_name):
    other = admin_api.post('/v3/projects', json={'project': {'name': unique_name('other')}})
    assert other.status_code == 201, other.text
    other = other.json()['project']
    cleanup.project(other['id'])

    listed = {p['Name'] for p in cli.json('project', 'list', cloud=MEMBER_CLOUD)}

    assert member_cloud.project_name in listed
    assert admin_cloud.project_name not in listed
    assert other['name'] not in listed
    member_api = member_cloud.client()
    mine = {p['name'] for p in member_api.get('/v3/auth/projects').json()['projects']}
    assert listed == mine
    # Nor can the member look at another project, by name or by ID.
    for ref in (other['name'], other['id']):
        shown = cli.run('project', 'show', ref, cloud=MEMBER_CLOUD, check=False)
        assert shown.returncode != 0, shown.stdout
        assert other['id'] not in shown.stdout
    assert member_api.get(f'/v3/projects/{other["id"]}').status_code == 403
