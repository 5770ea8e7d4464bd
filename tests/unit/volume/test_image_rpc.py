"""The image casts of ``volume.rpcapi`` (1.3) over the in-process ``fake://`` transport:
what a conductor and an agent of this version receive, argument for argument."""
import threading

import pytest

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf
from volume import conf as volume_conf
from volume import rpcapi

CTX = RequestContext(request_id='req-1', project_id='p', user_id='u')
VOLUME = {'id': 'v1', 'size': 1, 'provider_location': None}


class Recorder:
    """An endpoint recording every method it is cast (those of both APIs it is given)."""

    def __init__(self, *methods):
        self.received = []
        self._got = threading.Condition()
        for method in methods:
            setattr(self, method, self._recording(method))

    def _recording(self, method):
        def record(ctxt, **kwargs):
            with self._got:
                self.received.append((method, ctxt.request_id, kwargs))
                self._got.notify_all()
        return record

    def wait_for(self, count, timeout=10):
        with self._got:
            self._got.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


@pytest.fixture
def transport(tmp_path):
    conf = make_conf(tmp_path, register=volume_conf.register_opts)
    made = rpc.get_transport(conf)
    yield conf, made
    made.cleanup()


def _serving(transport, topic, server_name, endpoint, version):
    server = rpc.get_server(transport, topic, server_name, [endpoint], version)
    server.start()
    return server


def test_upload_image_reaches_the_conductor(transport):
    conf, bus = transport
    conductor = Recorder('upload_image')
    server = _serving(bus, rpcapi.CONDUCTOR_TOPIC, 'c-1', conductor, rpcapi.CONDUCTOR_VERSION)
    try:
        rpcapi.ConductorAPI(conf, transport=bus).upload_image(
            CTX, 'v1', rpcapi.UploadTarget(id='i1', disk_format='qcow2'))
        assert conductor.wait_for(1) == [
            ('upload_image', 'req-1', {'volume_id': 'v1',
                                       'image': {'id': 'i1', 'disk_format': 'qcow2'}})]
    finally:
        server.stop()
        server.wait()


def test_the_image_casts_reach_the_agent_of_the_backend(transport):
    conf, bus = transport
    agent = Recorder('create_volume', 'copy_volume_to_image')
    server = _serving(bus, rpcapi.AGENT_TOPIC, 'node-1@file', agent, rpcapi.AGENT_VERSION)
    try:
        agents = rpcapi.AgentAPI(conf, transport=bus)
        agents.create_volume(CTX, 'node-1@file', VOLUME, image=rpcapi.SourceImage(id='i1'))
        agents.create_volume(CTX, 'node-1@file', VOLUME)
        agents.copy_volume_to_image(CTX, 'node-1@file', VOLUME,
                                    rpcapi.UploadTarget(id='i2', disk_format='raw'))
        received = agent.wait_for(3)
    finally:
        server.stop()
        server.wait()
    assert sorted(received, key=repr) == sorted([
        ('create_volume', 'req-1', {'volume': VOLUME, 'snapshot': None, 'source_volume': None,
                                    'image': {'id': 'i1'}}),
        # Without an image the 1.0 message is sent: an agent not yet upgraded takes it.
        ('create_volume', 'req-1', {'volume': VOLUME, 'snapshot': None,
                                    'source_volume': None}),
        ('copy_volume_to_image', 'req-1', {'volume': VOLUME,
                                           'image': {'id': 'i2', 'disk_format': 'raw'}}),
    ], key=repr)
