"""The agent's RPC endpoint: the driver method each request needs, and the report of how
it ended."""
from unittest import mock

import pytest

from volume import rpcapi
from volume.agent.manager import AgentManager
from volume.agent.drivers import driver as base

BACKEND = 'node-1@file'
VOLUME = {'id': 'vol-1', 'size': 2}
UPDATE = {'provider_location': '/volumes/volume-vol-1', 'format': 'raw'}


@pytest.fixture
def driver():
    fake = mock.Mock(spec=base.VolumeDriver)
    fake.create_volume.return_value = dict(UPDATE)
    fake.create_volume_from_snapshot.return_value = dict(UPDATE)
    fake.create_cloned_volume.return_value = dict(UPDATE)
    return fake


@pytest.fixture
def conductor():
    return mock.Mock(spec=rpcapi.ConductorAPI)


@pytest.fixture
def agent(driver, conductor):
    return AgentManager(driver, conductor, BACKEND)


def reported(conductor):
    [call] = conductor.volume_done.call_args_list
    _, volume_id, action, host = call.args
    return volume_id, action, host, call.kwargs['values'], call.kwargs['error']


def test_a_blank_volume_is_created_and_reported(agent, driver, conductor):
    agent.create_volume(None, VOLUME)
    driver.create_volume.assert_called_once_with(VOLUME)
    assert reported(conductor) == ('vol-1', rpcapi.CREATE, BACKEND, UPDATE, None)


@pytest.mark.parametrize('source, method', [
    ({'snapshot': {'id': 's', 'volume_id': 'v', 'volume_size': 1}}, 'create_volume_from_snapshot'),
    ({'source_volume': {'id': 'v', 'size': 1}}, 'create_cloned_volume'),
])
def test_a_copy_is_made_from_its_source(agent, driver, conductor, source, method):
    agent.create_volume(None, VOLUME, **source)
    getattr(driver, method).assert_called_once_with(VOLUME, *source.values())
    driver.create_volume.assert_not_called()
    assert reported(conductor)[3] == UPDATE


def test_a_driver_failure_is_reported_with_its_message(agent, driver, conductor):
    driver.create_volume.side_effect = base.CommandFailed('qemu-img: No space left on device')
    agent.create_volume(None, VOLUME)
    assert reported(conductor) == ('vol-1', rpcapi.CREATE, BACKEND, None,
                                   'qemu-img: No space left on device')


def test_an_unexpected_failure_is_reported_in_general_terms(agent, driver, conductor):
    driver.extend_volume.side_effect = KeyError('size')
    agent.extend_volume(None, VOLUME, 3)
    volume_id, action, _, values, error = reported(conductor)
    assert (volume_id, action, values) == ('vol-1', rpcapi.EXTEND, None)
    assert 'Unexpected error of the volume backend node-1@file' in error


def test_a_delete_removes_the_snapshots_first(agent, driver, conductor):
    snapshots = [{'id': 's1', 'volume_id': 'vol-1', 'volume_size': 2}]
    agent.delete_volume(None, VOLUME, snapshots)
    assert driver.mock_calls == [mock.call.delete_snapshot(snapshots[0]),
                                 mock.call.delete_volume(VOLUME)]
    assert reported(conductor) == ('vol-1', rpcapi.DELETE, BACKEND, None, None)


def test_an_extend_reports_the_new_size(agent, driver, conductor):
    agent.extend_volume(None, VOLUME, 3)
    driver.extend_volume.assert_called_once_with(VOLUME, 3)
    assert reported(conductor) == ('vol-1', rpcapi.EXTEND, BACKEND, {'size': 3}, None)
