"""Fixtures of the conductor tests: a started ``Cloud`` (conductor + fake agents)."""
import pytest

from tests.unit.compute.conductor.harness import Cloud


@pytest.fixture
def make_cloud(tmp_path):
    clouds = []

    def make(start_agents=True, **kwargs):
        cloud = Cloud(tmp_path / f'cloud-{len(clouds)}', **kwargs)
        clouds.append(cloud)
        return cloud.start(agents=start_agents)
    yield make
    for cloud in clouds:
        cloud.stop()


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()
