"""Where connection settings come from: clouds.yaml, OS_* variables, arguments."""
import os

import pytest
import yaml

from stratus import config
from stratus import exceptions


def _cloud(auth_url='http://clouds-yaml:5000/v3', **extra):
    cloud = {'auth': {'auth_url': auth_url, 'username': 'yaml-user', 'password': 'yaml-pw',
                      'project_name': 'yaml-project', 'user_domain_name': 'Default',
                      'project_domain_name': 'Default'},
             'region_name': 'RegionOne', 'interface': 'public'}
    cloud.update(extra)
    return cloud


def _write(path, clouds):
    path.write_text(yaml.safe_dump({'clouds': clouds}))
    return path


ENV_CLOUD = {'OS_AUTH_URL': 'http://env:5000/v3', 'OS_USERNAME': 'env-user',
             'OS_PASSWORD': 'env-pw', 'OS_PROJECT_NAME': 'env-project',
             'OS_USER_DOMAIN_NAME': 'Default', 'OS_PROJECT_DOMAIN_NAME': 'Default',
             'OS_REGION_NAME': 'RegionTwo', 'OS_INTERFACE': 'internal',
             'OS_IDENTITY_API_VERSION': '3'}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty home and working directory, so that no real clouds.yaml is found."""
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    work = tmp_path / 'work'
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


@pytest.fixture
def no_etc(monkeypatch):
    real_isfile = os.path.isfile
    monkeypatch.setattr(os.path, 'isfile', lambda p: p != '/etc/openstack/clouds.yaml'
                        and real_isfile(p))


pytestmark = pytest.mark.usefixtures('home', 'no_etc')


def test_named_cloud_from_the_file_of_os_client_config_file(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'one': _cloud(), 'two': _cloud('http://two/v3')})
    loaded = config.load('two', environ={'OS_CLIENT_CONFIG_FILE': str(path)})
    assert loaded.name == 'two'
    assert loaded.auth['auth_url'] == 'http://two/v3'
    assert loaded.auth_type == 'v3password'
    assert (loaded.region_name, loaded.interface) == ('RegionOne', 'public')


def test_os_cloud_names_the_cloud(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'one': _cloud(), 'two': _cloud('http://two/v3')})
    loaded = config.load(environ={'OS_CLIENT_CONFIG_FILE': str(path), 'OS_CLOUD': 'one'})
    assert loaded.name == 'one'


def test_search_order_prefers_the_working_directory_over_home(home):
    _write(home / 'work' / 'clouds.yaml', {'c': _cloud('http://cwd/v3')})
    user_dir = home / 'home' / '.config' / 'openstack'
    user_dir.mkdir(parents=True)
    _write(user_dir / 'clouds.yaml', {'c': _cloud('http://home/v3')})
    assert config.load('c', environ={}).auth['auth_url'] == 'http://cwd/v3'
    (home / 'work' / 'clouds.yaml').unlink()
    assert config.load('c', environ={}).auth['auth_url'] == 'http://home/v3'


def test_os_client_config_file_comes_first(home, tmp_path):
    _write(home / 'work' / 'clouds.yaml', {'c': _cloud('http://cwd/v3')})
    path = _write(tmp_path / 'explicit.yaml', {'c': _cloud('http://explicit/v3')})
    loaded = config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)})
    assert loaded.auth['auth_url'] == 'http://explicit/v3'


def test_environment_describes_the_cloud_when_none_is_named():
    loaded = config.load(environ=ENV_CLOUD)
    assert loaded.name is None
    assert loaded.auth == {'auth_url': 'http://env:5000/v3', 'username': 'env-user',
                           'password': 'env-pw', 'project_name': 'env-project',
                           'user_domain_name': 'Default', 'project_domain_name': 'Default',
                           'identity_api_version': '3'}
    assert (loaded.region_name, loaded.interface) == ('RegionTwo', 'internal')


def test_a_named_cloud_ignores_os_variables(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'c': _cloud()})
    loaded = config.load('c', environ={**ENV_CLOUD, 'OS_CLIENT_CONFIG_FILE': str(path)})
    assert loaded.auth['username'] == 'yaml-user'
    assert loaded.region_name == 'RegionOne'


def test_the_only_cloud_of_the_file_is_the_default(home):
    _write(home / 'work' / 'clouds.yaml', {'only': _cloud()})
    assert config.load(environ={}).name == 'only'


def test_explicit_arguments_win_over_the_file(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'c': _cloud()})
    loaded = config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)},
                         password='given', region_name='RegionThree', interface='admin',
                         auth={'project_name': 'given-project'}, username=None)
    assert loaded.auth['password'] == 'given'
    assert loaded.auth['project_name'] == 'given-project'
    assert loaded.auth['username'] == 'yaml-user'  # None means "not given"
    assert (loaded.region_name, loaded.interface) == ('RegionThree', 'admin')


def test_explicit_arguments_win_over_the_environment():
    loaded = config.load(environ=ENV_CLOUD, username='given', auth_url='http://given/v3')
    assert loaded.auth['username'] == 'given'
    assert loaded.auth['auth_url'] == 'http://given/v3'
    assert loaded.auth['password'] == 'env-pw'


def test_explicit_arguments_alone():
    loaded = config.load(environ={}, auth_url='http://a/v3', username='u', password='p')
    assert loaded.auth == {'auth_url': 'http://a/v3', 'username': 'u', 'password': 'p'}
    assert loaded.interface == 'public'
    assert loaded.region_name is None


@pytest.mark.parametrize('auth_type, expected', [
    ('password', 'v3password'), ('v3password', 'v3password'), ('token', 'v3token'),
    ('v3token', 'v3token'), ('v3applicationcredential', 'v3applicationcredential'),
    ('application_credential', 'v3applicationcredential')])
def test_auth_types(tmp_path, auth_type, expected):
    path = _write(tmp_path / 'c.yaml', {'c': _cloud(auth_type=auth_type)})
    assert config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)}).auth_type == expected


def test_auth_type_is_inferred_from_the_credentials():
    base = {'OS_AUTH_URL': 'http://a/v3'}
    assert config.load(environ={**base, 'OS_TOKEN': 't'}).auth_type == 'v3token'
    assert config.load(environ={**base, 'OS_APPLICATION_CREDENTIAL_ID': 'i',
                                'OS_APPLICATION_CREDENTIAL_SECRET': 's'}).auth_type == \
        'v3applicationcredential'
    assert config.load(environ={**base, 'OS_AUTH_TYPE': 'v3applicationcredential'}).auth_type \
        == 'v3applicationcredential'


def test_application_credential_cloud(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'c': {
        'auth_type': 'v3applicationcredential',
        'auth': {'auth_url': 'http://a/v3', 'application_credential_id': 'cred',
                 'application_credential_secret': 'secret'}}})
    loaded = config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)})
    assert loaded.auth == {'auth_url': 'http://a/v3', 'application_credential_id': 'cred',
                           'application_credential_secret': 'secret'}


def test_dashes_and_top_level_auth_keys_are_normalized(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'c': {'auth-url': 'http://a/v3', 'username': 'u',
                                              'region-name': 'R'}})
    loaded = config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)})
    assert loaded.auth == {'auth_url': 'http://a/v3', 'username': 'u'}
    assert loaded.region_name == 'R'


def test_tls_settings(tmp_path):
    path = _write(tmp_path / 'c.yaml', {
        'ca': _cloud(cacert='/ca.pem', cert='/c.pem', key='/k.pem', api_timeout=7),
        'off': _cloud(verify=False, cacert='/ca.pem'),
        'path': _cloud(verify='/bundle.pem')})
    environ = {'OS_CLIENT_CONFIG_FILE': str(path)}
    loaded = config.load('ca', environ=environ)
    assert (loaded.verify, loaded.cert, loaded.timeout) == ('/ca.pem', ('/c.pem', '/k.pem'), 7)
    assert config.load('off', environ=environ).verify is False
    assert config.load('path', environ=environ).verify == '/bundle.pem'
    assert config.load(environ={**ENV_CLOUD, 'OS_INSECURE': 'True'}).verify is False
    assert config.load(environ=ENV_CLOUD).verify is True


def test_unknown_cloud(tmp_path):
    path = _write(tmp_path / 'c.yaml', {'c': _cloud()})
    with pytest.raises(exceptions.ConfigError, match="'nope' is not defined in"):
        config.load('nope', environ={'OS_CLIENT_CONFIG_FILE': str(path)})


def test_named_cloud_without_any_file():
    with pytest.raises(exceptions.ConfigError, match='no clouds.yaml was found'):
        config.load('c', environ={})


def test_nothing_configured():
    with pytest.raises(exceptions.ConfigError, match='No cloud is configured'):
        config.load(environ={'OS_REGION_NAME': 'R'})


def test_unsupported_auth_type():
    with pytest.raises(exceptions.ConfigError, match="Unsupported auth_type 'saml2'"):
        config.load(environ=ENV_CLOUD, auth_type='saml2')


def test_unreadable_file(tmp_path):
    path = tmp_path / 'c.yaml'
    path.write_text('clouds: [unclosed')
    with pytest.raises(exceptions.ConfigError, match='Cannot read'):
        config.load('c', environ={'OS_CLIENT_CONFIG_FILE': str(path)})
