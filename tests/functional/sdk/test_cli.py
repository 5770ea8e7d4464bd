"""The ``stratus`` command, run as a separate process against the real identity API."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.functional.sdk.conftest import admin_settings, unique

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def stratus_cli(identity, write_clouds_yaml):
    """``stratus_cli(*args, ok=True)`` runs the console script on cloud ``test-admin``."""
    settings = admin_settings(identity)
    region = settings.pop('region_name')
    path = write_clouds_yaml({'test-admin': {'auth': settings, 'region_name': region}})
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(path), OS_CLOUD='test-admin',
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get('PYTHONPATH')])))
    script = pathlib.Path(sys.executable).with_name('stratus')
    command = [str(script)] if script.exists() else [sys.executable, '-m', 'stratus.cli.main']

    def run(*args, ok=True):
        done = subprocess.run(command + list(args), env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=120)
        assert (done.returncode == 0) == ok, (args, done.stdout, done.stderr)
        return done
    return run


def _json(done):
    return json.loads(done.stdout)


def test_token_issue(stratus_cli, conn):
    token = _json(stratus_cli('token', 'issue', '-f', 'json'))
    assert set(token) == {'expires', 'id', 'project_id', 'user_id'}
    assert token['project_id'] == conn.identity.find_project('admin').id
    assert conn.identity.validate_token(token['id']).user.name == 'admin'
    assert stratus_cli('token', 'issue', '-f', 'value', '-c', 'user_id').stdout.strip() == \
        token['user_id']


def test_token_revoke(stratus_cli, conn):
    token = stratus_cli('token', 'issue', '-f', 'value', '-c', 'id').stdout.strip()
    stratus_cli('token', 'revoke', token)
    assert not conn.identity.check_token(token)


def test_catalog_list(stratus_cli, identity):
    entries = _json(stratus_cli('catalog', 'list', '-f', 'json'))
    identity_entry = next(e for e in entries if e['Type'] == 'identity')
    assert {(e['interface'], e['url']) for e in identity_entry['Endpoints']} >= {
        ('public', f'{identity.url}/v3')}
    table = stratus_cli('catalog', 'list').stdout
    assert f'public: {identity.url}/v3' in table


def test_project_create_list_show_delete(stratus_cli, conn):
    name = unique('cli-project')
    created = _json(stratus_cli('project', 'create', name, '--description', 'from the CLI',
                                '-f', 'json'))
    assert (created['name'], created['description']) == (name, 'from the CLI')
    assert 'links' not in created
    listed = _json(stratus_cli('project', 'list', '-f', 'json'))
    assert {'ID': created['id'], 'Name': name} in listed
    assert name in stratus_cli('project', 'list').stdout
    for name_or_id in (name, created['id']):
        shown = _json(stratus_cli('project', 'show', name_or_id, '-f', 'json'))
        assert shown == created
    stratus_cli('project', 'delete', name)
    assert conn.identity.find_project(created['id'], ignore_missing=True) is None


def test_errors_print_the_servers_message(stratus_cli, conn):
    name = unique('cli-project')
    stratus_cli('project', 'create', name)
    try:
        failed = stratus_cli('project', 'create', name, ok=False)
        assert failed.returncode == 1
        assert 'Duplicate entry found with name' in failed.stderr
        assert '(HTTP 409)' in failed.stderr
    finally:
        conn.identity.delete_project(conn.identity.find_project(name))
    missing = stratus_cli('project', 'show', name, ok=False)
    assert missing.stderr.strip() == f"No project with a name or ID of '{name}' exists."
    assert stratus_cli('--os-cloud', 'nope', 'project', 'list', ok=False).stderr.startswith(
        "Cloud 'nope' is not defined in")


def test_user_and_role_commands(stratus_cli, conn):
    project = unique('cli-project')
    user = unique('cli-user')
    stratus_cli('project', 'create', project)
    try:
        created = _json(stratus_cli('user', 'create', user, '--password', 'secret-pw',
                                    '--project', project, '-f', 'json'))
        assert created['default_project_id'] == conn.identity.find_project(project).id
        assert 'password' not in created
        assert user in stratus_cli('user', 'list', '-f', 'value', '-c', 'name').stdout.split()
        assert _json(stratus_cli('user', 'show', user, '-f', 'json'))['id'] == created['id']
        assert 'member' in stratus_cli('role', 'list', '-f', 'value', '-c', 'Name').stdout

        stratus_cli('role', 'add', '--user', user, '--project', project, 'member')
        assignments = _json(stratus_cli('role', 'assignment', 'list', '--user', user,
                                        '--project', project, '--names', '-f', 'json'))
        assert assignments == [{'Role': 'member', 'User': f'{user}@Default', 'Group': '',
                                'Project': f'{project}@Default', 'Domain': '', 'System': '',
                                'Inherited': False}]
        by_id = _json(stratus_cli('role', 'assignment', 'list', '--user', created['id'],
                                  '-f', 'json'))
        assert [a['User'] for a in by_id] == [created['id']]
        stratus_cli('role', 'remove', '--user', user, '--project', project, 'member')
        assert _json(stratus_cli('role', 'assignment', 'list', '--user', user,
                                 '-f', 'json')) == []
        stratus_cli('user', 'delete', user)
        assert conn.identity.find_user(created['id'], ignore_missing=True) is None
    finally:
        conn.identity.delete_project(conn.identity.find_project(project))


def test_application_credential_commands(stratus_cli):
    name = unique('cli-cred')
    created = _json(stratus_cli('application', 'credential', 'create', name, '--role',
                                'reader', '--description', 'ci', '-f', 'json'))
    assert created['secret'] and created['roles'] == 'reader'
    listed = _json(stratus_cli('application', 'credential', 'list', '-f', 'json'))
    assert created['id'] in [c['ID'] for c in listed]
    stratus_cli('application', 'credential', 'delete', name)
    listed = _json(stratus_cli('application', 'credential', 'list', '-f', 'json'))
    assert created['id'] not in [c['ID'] for c in listed]
