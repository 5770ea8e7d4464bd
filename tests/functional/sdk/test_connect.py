"""Opening connections: explicit arguments, clouds.yaml, each auth type."""
import pytest

import stratus
from stratus import exceptions
from tests import servers
from tests.functional.sdk.conftest import admin_settings, unique, user_settings


def test_connect_with_explicit_arguments(identity):
    with stratus.connect(**admin_settings(identity)) as conn:
        assert conn.access.project_name == 'admin'
        assert conn.identity.base_url().rstrip('/') == f'{identity.url}/v3'
        assert 'admin' in [p.name for p in conn.identity.projects()]


def test_connect_with_a_clouds_yaml(identity, write_clouds_yaml, monkeypatch):
    settings = admin_settings(identity)
    region = settings.pop('region_name')
    path = write_clouds_yaml({'other': {'auth': {'auth_url': 'http://127.0.0.1:9/v3'}},
                              'stratus-admin': {'auth': settings, 'region_name': region,
                                                'interface': 'public',
                                                'identity_api_version': 3}})
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(path))
    with stratus.connect(cloud='stratus-admin') as conn:
        assert conn.region_name == 'RegionOne'
        assert conn.identity.find_project('admin').name == 'admin'
    monkeypatch.setenv('OS_CLOUD', 'stratus-admin')
    with stratus.connect() as conn:
        assert conn.access.user_id == conn.identity.find_user('admin').id


def test_connect_from_os_variables(identity, monkeypatch):
    for key, value in admin_settings(identity).items():
        monkeypatch.setenv(f'OS_{key.upper()}', value)
    with stratus.connect() as conn:
        assert conn.access.project_name == 'admin'


def test_token_auth_type(identity, conn, write_clouds_yaml):
    token = conn.access.auth_token
    path = write_clouds_yaml({'by-token': {
        'auth_type': 'token', 'auth': {'auth_url': f'{identity.url}/v3', 'token': token,
                                       'project_name': 'admin',
                                       'project_domain_name': 'Default'}}})
    with stratus.connect('by-token', environ={'OS_CLIENT_CONFIG_FILE': str(path)}) as by_token:
        assert by_token.access.user_id == conn.access.user_id
        assert by_token.access.auth_token != token  # a new token, scoped as asked


@pytest.mark.parametrize('auth_type', ['v3applicationcredential', 'application_credential'])
def test_application_credential_auth_type(identity, make_user, write_clouds_yaml, auth_type):
    user, password, project = make_user()
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        credential = as_user.identity.create_application_credential(name=unique('cred'))
    path = write_clouds_yaml({'app': {
        'auth_type': auth_type, 'region_name': 'RegionOne',
        'auth': {'auth_url': f'{identity.url}/v3', 'application_credential_id': credential.id,
                 'application_credential_secret': credential.secret}}})
    with stratus.connect('app', environ={'OS_CLIENT_CONFIG_FILE': str(path)}) as app:
        assert app.access.project_id == project.id
        assert app.access.user_id == user.id
        assert [p.id for p in app.identity.auth_projects()] == [project.id]


def test_wrong_password_shows_the_servers_message(identity):
    settings = {**admin_settings(identity), 'password': 'wrong'}
    with stratus.connect(**settings) as conn:
        with pytest.raises(exceptions.Unauthorized) as raised:
            list(conn.identity.projects())
    assert raised.value.status_code == 401
    assert raised.value.message == 'The request you have made requires authentication.'
    assert raised.value.request_id.startswith('req-')


def test_unreachable_cloud_is_an_sdk_error():
    with stratus.connect(auth_url=f'http://127.0.0.1:{servers.free_port()}/v3', user_id='u',
                         password='p') as conn:
        with pytest.raises(exceptions.SDKError, match='Unable to establish connection'):
            conn.identity.get_project('x')
