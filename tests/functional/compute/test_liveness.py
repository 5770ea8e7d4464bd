"""Heartbeats: an agent that stops reporting is shown ``down`` after
``service_down_time``, and the scheduler no longer builds on it."""
import datetime
import time

import pytest

from tests import servers
from tests.functional.compute import helpers

SERVICE_DOWN_TIME = 3  # the smallest allowed with report_interval 1 (2.5 x, rounded up)


@pytest.fixture(scope='module')
def two_agents(identity, image, database_backend, tmp_path_factory):
    """A compute service of its own (an agent is stopped here), quick to call a host down."""
    directory = tmp_path_factory.mktemp(f'compute-liveness-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.ComputeServer(str(directory), url, identity, image, agents=2,
                                       report_interval=1,
                                       service_down_time=SERVICE_DOWN_TIME).start()
        try:
            yield server
        finally:
            server.stop()


def test_a_stopped_agent_goes_down_and_gets_no_builds(two_agents, image, admin):
    cloud_admin = two_agents.admin()
    assert two_agents.service_states(cloud_admin) == {'agent-1': 'up', 'agent-2': 'up'}
    two_agents.agents[1].stop()
    deadline = time.monotonic() + SERVICE_DOWN_TIME + 10
    while two_agents.service_states(cloud_admin)['agent-2'] != 'down':
        assert time.monotonic() < deadline, 'agent-2 is still up'
        time.sleep(0.2)
    services = cloud_admin.get('/os-services').json()['services']
    # Down only once its last heartbeat is service_down_time old (same clock: this host).
    agent = next(s for s in services if s['host'] == 'agent-2')
    silent = datetime.datetime.now(datetime.timezone.utc) - datetime.datetime.fromisoformat(
        agent['updated_at']).replace(tzinfo=datetime.timezone.utc)
    assert silent.total_seconds() >= SERVICE_DOWN_TIME - 0.5, agent
    assert next(s for s in services if s['host'] == 'agent-1')['state'] == 'up'
    conductors = [s for s in services if s['binary'] == 'nova-conductor']
    assert conductors and all(s['state'] == 'up' for s in conductors)

    flavor = helpers.make_flavor(cloud_admin)
    image_id = helpers.make_image(image, admin.token)
    built = [helpers.create_server(cloud_admin, image_id, flavor['id']) for _ in range(3)]
    for server_id in built:
        server = helpers.wait_for_status(cloud_admin, server_id, 'ACTIVE')
        assert server['OS-EXT-SRV-ATTR:host'] == 'agent-1'
    helpers.delete_all(cloud_admin, built)
