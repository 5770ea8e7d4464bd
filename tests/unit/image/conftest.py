"""Fixtures of the image unit tests: one fresh image API per test.

Building one takes a few milliseconds, and a fresh database and store make
assertions on "what is left in the store" exact.  ``make_env`` builds one
with other options (``image__max_image_size=…``, ``quota__…``).
"""
import pytest

from tests.unit.image.fixtures import build_env


@pytest.fixture
def make_env(tmp_path):
    built = []

    def make(**overrides):
        env = build_env(tmp_path / f'env-{len(built)}', **overrides)
        built.append(env)
        return env
    yield make
    for env in built:
        env.db.dispose()


@pytest.fixture
def env(make_env):
    return make_env()


@pytest.fixture
def api(env):
    return env.api
