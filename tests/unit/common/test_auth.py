"""Token validation for the other services (``common/auth.py``)."""
import pytest

from common import auth
from common import exceptions


def test_unconfirmed_identity_is_unauthorized():
    for status in (None, 'Invalid'):
        environ = {} if status is None else {'HTTP_X_IDENTITY_STATUS': status}
        with pytest.raises(exceptions.Unauthorized):
            auth.context_from_environ(environ)


def test_confirmed_identity_becomes_the_context():
    environ = {
        'HTTP_X_IDENTITY_STATUS': 'Confirmed', 'HTTP_X_USER_ID': 'u1',
        'HTTP_X_PROJECT_ID': 'p1', 'HTTP_X_ROLES': 'member,reader',
        'HTTP_X_IS_ADMIN_PROJECT': 'False', 'keystone.token_auth': 'the-plugin',
    }
    ctx = auth.context_from_environ(environ)
    assert (ctx.user_id, ctx.project_id) == ('u1', 'p1')
    assert sorted(ctx.roles) == ['member', 'reader']
    assert ctx.is_admin_project is False
    assert ctx.auth_plugin == 'the-plugin'


def test_token_cache_is_short(conf):
    auth.register_opts(conf)
    assert conf.keystone_authtoken.token_cache_time == auth.TOKEN_CACHE_SECONDS == 10
