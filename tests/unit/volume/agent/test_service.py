"""The agent process: its name on the bus, its heartbeat with the backend's capabilities."""
from unittest import mock

import pytest

from common import rpc
from tests.unit import make_conf
from volume import conf as volume_conf
from volume.agent import opts
from volume.agent.drivers import driver as base
from volume.agent.service import AgentProcess


def register(conf):
    volume_conf.register_opts(conf, database=False)
    opts.register_opts(conf)


@pytest.fixture
def agent_conf(tmp_path):
    return make_conf(tmp_path, register=register, host='node-1',
                     backend__volume_backend_name='fast')


def process(conf, driver=None):
    driver = driver or mock.Mock(spec=base.VolumeDriver)
    agent = AgentProcess(conf, driver=driver, transport=rpc.get_transport(conf))
    agent._conductor = mock.Mock()
    return agent, driver


def test_it_serves_as_host_at_backend(agent_conf):
    agent, _ = process(agent_conf)
    assert agent.host == 'node-1@fast'


@pytest.mark.parametrize('zone, expected', [(None, 'nova'), ('az-2', 'az-2')])
def test_the_heartbeat_carries_zone_and_capabilities(agent_conf, zone, expected):
    agent_conf.set_override('storage_availability_zone', zone, group='backend')
    agent, driver = process(agent_conf)
    driver.capabilities.return_value = {'volume_backend_name': 'fast'}
    agent.report_state()
    [call] = agent._conductor.report_state.call_args_list
    assert call.args[1] == {'host': 'node-1@fast', 'availability_zone': expected,
                            'capabilities': {'volume_backend_name': 'fast'}}


def test_unreadable_capabilities_are_reported_as_none(agent_conf):
    agent, driver = process(agent_conf)
    driver.capabilities.side_effect = base.DriverError('volumes_dir is gone')
    agent.report_state()
    assert agent._conductor.report_state.call_args.args[1]['capabilities'] is None


def test_the_configured_driver_is_loaded(agent_conf):
    agent = AgentProcess(agent_conf, transport=rpc.get_transport(agent_conf))
    assert type(agent.driver).__name__ == 'FileDriver'
