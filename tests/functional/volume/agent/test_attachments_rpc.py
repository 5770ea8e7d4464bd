"""A volume attached through the volume API and a real agent over RabbitMQ.

The agent is the real endpoint (``AgentManager``) on the real file driver
(qemu-img on files under ``tmp_path``), served on the test RabbitMQ as
its own backend; the API is the unit tests' (SQLite, no identity
service) with a real ``AgentAPI`` on that RabbitMQ.  Nova's sequence:
reserve, connect with a connector, complete, delete.
"""
import os
from unittest import mock

import pytest

from common import rpc
from common.db.types import utcnow
from tests import servers
from tests.unit.volume.fixtures import build_env
from volume import rpcapi
from volume import states
from volume.agent.manager import AgentManager

SERVER = '0c1e5a4f-2a4e-4b8e-9c1e-5a4f2a4e4b8e'
CONNECTOR = {'host': 'compute-1', 'ip': '192.0.2.10', 'mountpoint': '/dev/vdb'}
VERSION = {'version': '3.54'}


@pytest.fixture
def backend():
    return f"{servers.unique_name('functional-test-host')}@file"


@pytest.fixture
def transport(conf):
    conf.set_override('transport_url', servers.TRANSPORT_URL)
    conf.set_override('rpc_response_timeout', 5)
    made = rpc.get_transport(conf)
    yield made
    made.cleanup()


@pytest.fixture
def agent_server(transport, drv, backend):
    """The backend's agent, serving ``volume.agent`` as ``backend``; its queue is deleted
    from the shared broker afterwards."""
    server = rpc.get_server(transport, rpcapi.AGENT_TOPIC, backend,
                            [AgentManager(drv, mock.Mock(spec=rpcapi.ConductorAPI), backend)],
                            rpcapi.AGENT_VERSION)
    server.start()
    yield server
    server.stop()
    server.wait()
    import kombu
    url = 'amqp://' + servers.TRANSPORT_URL.split('://', 1)[1]
    with kombu.Connection(url, connect_timeout=10) as connection:
        channel = connection.channel()
        try:
            channel.queue_delete(f'{rpcapi.AGENT_TOPIC}.{backend}')
        finally:
            channel.close()


@pytest.fixture
def env(tmp_path, transport, conf):
    made = build_env(tmp_path / 'api')
    made.app.agent = rpcapi.AgentAPI(conf, transport=transport)
    yield made
    made.db.dispose()


@pytest.fixture
def volume(env, drv, backend):
    """A raw volume the API knows and the file driver made, on ``backend``."""
    volume_id = env.api.volume()['id']
    made = drv.create_volume({'id': volume_id, 'size': 1, 'format': 'raw'})
    env.update_volume(volume_id, status=states.AVAILABLE, host=f'{backend}#file',
                      provider_location=made['provider_location'], format=made['format'],
                      launched_at=utcnow())
    return volume_id, made['provider_location']


def _attach(api, volume_id):
    response = api.post('attachments', {'attachment': {'volume_uuid': volume_id,
                                                       'instance_uuid': SERVER}}, **VERSION)
    assert response.status_code == 200, response.get_data(as_text=True)
    attachment_id = response.get_json()['attachment']['id']
    response = api.put(f'attachments/{attachment_id}', {'attachment': {'connector': CONNECTOR}},
                       **VERSION)
    assert response.status_code == 200, response.get_data(as_text=True)
    return attachment_id, response.get_json()['attachment']['connection_info']


def test_the_connection_info_names_the_volumes_file(env, agent_server, volume):
    volume_id, path = volume
    attachment_id, info = _attach(env.api, volume_id)
    assert info['driver_volume_type'] == 'file'
    assert info['data']['device_path'] == path and os.path.isfile(path)
    assert info['data']['format'] == 'raw' and info['data']['access_mode'] == 'rw'
    response = env.api.post(f'attachments/{attachment_id}/action', {'os-complete': None},
                            **VERSION)
    assert response.status_code == 204
    assert env.volume_row(volume_id).status == states.IN_USE
    response = env.api.delete(f'attachments/{attachment_id}', **VERSION)
    assert response.status_code == 200
    assert env.volume_row(volume_id).status == states.AVAILABLE


def test_a_missing_file_is_a_503_with_the_drivers_message(env, agent_server, volume):
    volume_id, path = volume
    os.unlink(path)
    response = env.api.post('attachments', {'attachment': {
        'volume_uuid': volume_id, 'instance_uuid': SERVER, 'connector': CONNECTOR}}, **VERSION)
    assert response.status_code == 503
    assert 'does not exist on this backend' in response.get_json()['serviceUnavailable'][
        'message']
    assert env.volume_row(volume_id).status == states.AVAILABLE


def test_a_stopped_agent_does_not_keep_the_volume_attached(env, agent_server, volume):
    volume_id, _ = volume
    attachment_id, _ = _attach(env.api, volume_id)
    agent_server.stop()
    agent_server.wait()
    response = env.api.delete(f'attachments/{attachment_id}', **VERSION)
    assert response.status_code == 200
    assert env.volume_row(volume_id).status == states.AVAILABLE
