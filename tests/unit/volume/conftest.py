"""Fixtures of the volume API unit tests: one fresh volume API per test."""
import pytest

from tests.unit.volume.fixtures import build_env


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
