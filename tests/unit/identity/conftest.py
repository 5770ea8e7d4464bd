"""Fixtures of the identity unit tests.

``env`` is one bootstrapped identity service per test module (building it
takes a fraction of a second, but hundreds of tests share it): tests make
their own data with ``factories`` under unique names and never change the
bootstrap's admin user, project or roles.  A test that must (rotating keys,
changing options) builds its own with ``fresh_env``.
"""
import pytest

from tests.unit.identity.fixtures import build_env


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    env = build_env(tmp_path_factory.mktemp('identity'))
    yield env
    env.db.dispose()


@pytest.fixture
def fresh_env(tmp_path):
    """An identity service of this test alone."""
    env = build_env(tmp_path)
    yield env
    env.db.dispose()


@pytest.fixture
def api(env):
    return env.api


@pytest.fixture
def admin_token(env):
    return env.admin_token()


@pytest.fixture
def notifications(env):
    """What the service notifies during the test (starts empty)."""
    env.notifier.clear()
    return env.notifier
