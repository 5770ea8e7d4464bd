"""Building sessions and auth plugins from a CloudConfig (no request is sent)."""
import pytest
from keystoneauth1.identity import v3

import stratus
from stratus import config
from stratus import connection
from stratus import exceptions


def _config(auth_type='v3password', **auth):
    return config.CloudConfig(name='c', auth_type=auth_type,
                              auth={'auth_url': 'http://a:5000/v3', **auth},
                              region_name='RegionOne', interface='internal',
                              verify='/ca.pem', timeout=5.0)


def test_password_plugin_is_keystoneauth_v3():
    plugin = connection.auth_plugin(_config(username='u', password='p', project_name='pr',
                                            user_domain_name='Default',
                                            project_domain_name='Default'))
    assert isinstance(plugin, v3.Password)
    assert plugin.auth_url == 'http://a:5000/v3'
    assert plugin.project_name == 'pr'


def test_token_and_application_credential_plugins():
    assert isinstance(connection.auth_plugin(_config('v3token', token='t', project_id='p')),
                      v3.Token)
    plugin = connection.auth_plugin(_config(
        'v3applicationcredential', application_credential_id='i',
        application_credential_secret='s', project_name='dropped'))
    assert isinstance(plugin, v3.ApplicationCredential)
    assert plugin.project_name is None


def test_missing_required_option_is_a_config_error():
    with pytest.raises(exceptions.ConfigError,
                       match="v3token authentication needs token, missing from cloud 'c'"):
        connection.auth_plugin(_config('v3token'))


def test_contradicting_options_are_a_config_error():
    with pytest.raises(exceptions.ConfigError, match="Cloud 'c': .* user_domain_id or "
                                                     "user_domain_name"):
        connection.auth_plugin(_config(username='u', password='p'))


def test_connection_from_config_uses_its_settings():
    conn = stratus.Connection(config=_config(user_id='u', password='p'))
    with conn:
        assert (conn.region_name, conn.interface) == ('RegionOne', 'internal')
        assert conn.session.verify == '/ca.pem'
        assert conn.session.timeout == 5.0
        assert conn.auth is conn.session.auth
        assert conn.identity is conn.identity  # made once, on first use


def test_connection_with_a_session_and_another_auth():
    shared = connection.session_for(_config(user_id='u', password='p'))
    user_auth = v3.Token(auth_url='http://a:5000/v3', token='t')
    conn = stratus.Connection(session=shared, auth=user_auth, interface=['internal', 'public'])
    assert conn.session is shared and conn.auth is user_auth
    assert conn.identity.adapter.auth is user_auth
    assert conn.identity.adapter.interface == ['internal', 'public']
    conn.close()
    shared.close()


def test_connection_needs_a_source():
    with pytest.raises(TypeError):
        stratus.Connection()
    with pytest.raises(TypeError):
        stratus.Connection(config=_config(user_id='u', password='p'),
                           auth=v3.Token(auth_url='http://a', token='t'))
