"""The agent's answers to the API's connection calls (AgentAPI 1.2): the driver's
connection info, or why not; and the calls themselves over the in-process bus."""
import inspect
from unittest import mock

import pytest

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf
from volume import conf as volume_conf
from volume import rpcapi
from volume.agent.drivers import driver as base
from volume.agent.manager import AgentManager

BACKEND = 'node-1@file'
VOLUME = {'id': 'vol-1', 'size': 1, 'format': 'raw', 'provider_location': '/v/volume-vol-1'}
CONNECTOR = {'host': 'compute-1', 'mountpoint': '/dev/vdb'}
INFO = {'driver_volume_type': 'file',
        'data': {'device_path': '/v/volume-vol-1', 'format': 'raw', 'name': 'volume-vol-1'}}


@pytest.fixture
def driver():
    fake = mock.Mock(spec=base.VolumeDriver)
    fake.initialize_connection.return_value = dict(INFO)
    fake.terminate_connection.return_value = None
    return fake


@pytest.fixture
def agent(driver):
    return AgentManager(driver, mock.Mock(spec=rpcapi.ConductorAPI), BACKEND)


def test_initialize_answers_the_drivers_connection_info(agent, driver):
    assert agent.initialize_connection(None, VOLUME, CONNECTOR) == \
        {'connection_info': INFO, 'error': None}
    driver.initialize_connection.assert_called_once_with(VOLUME, CONNECTOR)


def test_terminate_answers_no_error(agent, driver):
    assert agent.terminate_connection(None, VOLUME, CONNECTOR) == \
        {'connection_info': None, 'error': None}
    driver.terminate_connection.assert_called_once_with(VOLUME, CONNECTOR)


@pytest.mark.parametrize('method', ['initialize_connection', 'terminate_connection'])
def test_a_driver_failure_is_answered_with_its_message(agent, driver, method):
    getattr(driver, method).side_effect = base.VolumeNotFound('vol-1')
    assert getattr(agent, method)(None, VOLUME, CONNECTOR) == {
        'connection_info': None, 'error': 'Volume vol-1 does not exist on this backend.'}


def test_an_unexpected_failure_is_answered_in_general_terms(agent, driver, caplog):
    driver.initialize_connection.side_effect = RuntimeError('secret detail')
    result = agent.initialize_connection(None, VOLUME, CONNECTOR)
    assert result['connection_info'] is None
    assert result['error'] == f'Unexpected error of the volume backend {BACKEND}; see its log.'
    assert 'secret detail' in caplog.text


def test_the_answer_shape_is_documented():
    assert set(rpcapi.ConnectionResult.__annotations__) == {'connection_info', 'error'}
    assert '1.2 - initialize_connection, terminate_connection' in rpcapi.__doc__


@pytest.fixture
def bus(tmp_path, agent):
    conf = make_conf(tmp_path, register=volume_conf.register_opts)
    transport = rpc.get_transport(conf)
    server = rpc.get_server(transport, rpcapi.AGENT_TOPIC, BACKEND, [agent],
                            rpcapi.AGENT_VERSION)
    server.start()
    yield rpcapi.AgentAPI(conf, transport=transport)
    server.stop()
    server.wait()
    transport.cleanup()


def test_the_calls_reach_the_backends_agent_and_return_its_answer(bus, driver):
    ctx = RequestContext(request_id='req-1', project_id='p', user_id='u')
    assert bus.initialize_connection(ctx, BACKEND, VOLUME, CONNECTOR) == \
        {'connection_info': INFO, 'error': None}
    assert bus.terminate_connection(ctx, BACKEND, VOLUME, CONNECTOR) == \
        {'connection_info': None, 'error': None}
    driver.initialize_connection.assert_called_once_with(VOLUME, CONNECTOR)
    driver.terminate_connection.assert_called_once_with(VOLUME, CONNECTOR)


@pytest.mark.parametrize('method', ['initialize_connection', 'terminate_connection'])
def test_the_agent_takes_what_the_client_sends(method):
    sent = list(inspect.signature(getattr(rpcapi.AgentAPI, method)).parameters)
    taken = list(inspect.signature(getattr(AgentManager, method)).parameters)
    assert sent[:3] == ['self', 'ctx', 'backend'] and taken[:2] == ['self', 'ctxt']
    assert sent[3:] == taken[2:]
