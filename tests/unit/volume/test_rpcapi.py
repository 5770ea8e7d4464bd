"""``volume.rpcapi.ConductorAPI`` over the in-process ``fake://`` transport: what a
conductor serving ``volume.conductor`` receives, argument for argument."""
import inspect
import threading

import pytest

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf
from volume import conf as volume_conf
from volume import rpcapi

SPEC = {'volume_id': 'v1', 'project_id': 'p', 'size': 1, 'availability_zone': 'nova',
        'volume_type': {'id': 't', 'name': '__DEFAULT__', 'extra_specs': {}},
        'multiattach': False, 'snapshot_id': None, 'source_volid': None, 'image_id': None,
        'backend_host': None}


class Conductor:
    """Records what it is cast; the methods a real conductor must have."""

    def __init__(self):
        self.received = []
        self._got = threading.Condition()

    def _record(self, method, ctxt, **kwargs):
        with self._got:
            self.received.append((method, ctxt.request_id, kwargs))
            self._got.notify_all()

    def create_volume(self, ctxt, volume_id, request_spec):
        self._record('create_volume', ctxt, volume_id=volume_id, request_spec=request_spec)

    def delete_volume(self, ctxt, volume_id, cascade):
        self._record('delete_volume', ctxt, volume_id=volume_id, cascade=cascade)

    def extend_volume(self, ctxt, volume_id, new_size):
        self._record('extend_volume', ctxt, volume_id=volume_id, new_size=new_size)

    def wait_for(self, count, timeout=10):
        with self._got:
            self._got.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


@pytest.fixture
def bus(tmp_path):
    conf = make_conf(tmp_path, register=volume_conf.register_opts)
    transport = rpc.get_transport(conf)
    conductor = Conductor()
    server = rpc.get_server(transport, rpcapi.CONDUCTOR_TOPIC, 'conductor-1', [conductor],
                            rpcapi.CONDUCTOR_VERSION)
    server.start()
    yield rpcapi.ConductorAPI(conf, transport=transport), conductor
    server.stop()
    server.wait()
    transport.cleanup()


def test_casts_arrive_with_their_arguments_and_context(bus):
    client, conductor = bus
    ctx = RequestContext(request_id='req-1', project_id='p', user_id='u')
    client.create_volume(ctx, 'v1', SPEC)
    client.delete_volume(ctx, 'v1', cascade=True)
    client.extend_volume(ctx, 'v1', 5)
    received = sorted(conductor.wait_for(3))
    assert received == [
        ('create_volume', 'req-1', {'volume_id': 'v1', 'request_spec': SPEC}),
        ('delete_volume', 'req-1', {'volume_id': 'v1', 'cascade': True}),
        ('extend_volume', 'req-1', {'volume_id': 'v1', 'new_size': 5}),
    ]


def test_the_request_spec_shape_is_documented():
    assert set(rpcapi.RequestSpec.__annotations__) == set(SPEC)
    assert set(rpcapi.VolumeTypeSpec.__annotations__) == set(SPEC['volume_type'])


def test_the_client_methods_are_the_conductor_methods():
    public = {name for name, _ in inspect.getmembers(rpcapi.ConductorAPI, inspect.isfunction)
              if not name.startswith('_')}
    assert public == {'create_volume', 'delete_volume', 'extend_volume', 'report_state',
                      'volume_done',
                      # 1.2 (snapshots and backups)
                      'create_snapshot', 'delete_snapshot', 'create_backup', 'restore_backup',
                      'delete_backup', 'snapshot_done', 'backup_done',
                      # 1.3 (images)
                      'upload_image'}
    assert '1.3 - upload_image' in rpcapi.__doc__
    assert '1.0 - create_volume, delete_volume, extend_volume' in rpcapi.__doc__
    assert '1.1 - report_state, volume_done (from the agents)' in rpcapi.__doc__
