"""The snapshot and backup casts (ConductorAPI 1.2, AgentAPI 1.1) over the in-process
``fake://`` transport, and the endpoints that serve them having the same signatures."""
import inspect
import threading

import pytest

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf
from volume import conf as volume_conf
from volume import rpcapi
from volume.agent.manager import AgentManager
from volume.conductor.manager import ConductorManager

CONDUCTOR_1_2 = ('create_snapshot', 'delete_snapshot', 'create_backup', 'restore_backup',
                 'delete_backup', 'snapshot_done', 'backup_done')
AGENT_1_1 = ('create_snapshot', 'delete_snapshot', 'create_backup', 'restore_backup',
             'delete_backup')


class Recorder:
    """An endpoint recording whatever it is cast (methods added per name)."""

    def __init__(self, names):
        self.received = []
        self._got = threading.Condition()
        for name in names:
            setattr(self, name, self._method(name))

    def _method(self, name):
        def record(ctxt, **kwargs):
            with self._got:
                self.received.append((name, kwargs))
                self._got.notify_all()
        return record

    def wait_for(self, count, timeout=10):
        with self._got:
            self._got.wait_for(lambda: len(self.received) >= count, timeout)
            return sorted(self.received, key=lambda r: r[0])


@pytest.fixture
def transport(tmp_path):
    conf = make_conf(tmp_path, register=volume_conf.register_opts)
    transport = rpc.get_transport(conf)
    yield conf, transport
    transport.cleanup()


def _serve(transport, topic, server_name, endpoint, version):
    server = rpc.get_server(transport, topic, server_name, [endpoint], version)
    server.start()
    return server


def test_conductor_casts_arrive(transport):
    conf, bus = transport
    conductor = Recorder(CONDUCTOR_1_2)
    server = _serve(bus, rpcapi.CONDUCTOR_TOPIC, 'conductor-1', conductor,
                    rpcapi.CONDUCTOR_VERSION)
    try:
        client, ctx = rpcapi.ConductorAPI(conf, transport=bus), RequestContext()
        client.create_snapshot(ctx, 's1')
        client.delete_snapshot(ctx, 's1')
        client.create_backup(ctx, 'b1')
        client.restore_backup(ctx, 'b1', 'v1')
        client.delete_backup(ctx, 'b1')
        client.snapshot_done(ctx, 's1', rpcapi.CREATE, 'h@b', values={'provider_location': 'x'})
        client.backup_done(ctx, 'b1', rpcapi.RESTORE, 'h@b', error='corrupt')
        received = conductor.wait_for(7)
    finally:
        server.stop()
        server.wait()
    assert received == [
        ('backup_done', {'backup_id': 'b1', 'action': 'restore', 'host': 'h@b',
                         'values': None, 'error': 'corrupt'}),
        ('create_backup', {'backup_id': 'b1'}),
        ('create_snapshot', {'snapshot_id': 's1'}),
        ('delete_backup', {'backup_id': 'b1'}),
        ('delete_snapshot', {'snapshot_id': 's1'}),
        ('restore_backup', {'backup_id': 'b1', 'volume_id': 'v1'}),
        ('snapshot_done', {'snapshot_id': 's1', 'action': 'create', 'host': 'h@b',
                           'values': {'provider_location': 'x'}, 'error': None}),
    ]


def test_agent_casts_go_to_the_named_backend(transport):
    conf, bus = transport
    agent = Recorder(AGENT_1_1)
    server = _serve(bus, rpcapi.AGENT_TOPIC, 'node-1@file', agent, rpcapi.AGENT_VERSION)
    try:
        client, ctx = rpcapi.AgentAPI(conf, transport=bus), RequestContext()
        snapshot = {'id': 's1', 'volume_id': 'v1', 'volume_size': 1}
        volume = {'id': 'v1', 'size': 1}
        client.create_snapshot(ctx, 'node-1@file', snapshot, volume)
        client.delete_snapshot(ctx, 'node-1@file', snapshot)
        client.create_backup(ctx, 'node-1@file', {'id': 'b2'}, volume, parent={'id': 'b1'})
        client.restore_backup(ctx, 'node-1@file', {'id': 'b2'}, volume, create=True)
        client.delete_backup(ctx, 'node-1@file', {'id': 'b2'})
        received = agent.wait_for(5)
    finally:
        server.stop()
        server.wait()
    assert [name for name, _ in received] == sorted(AGENT_1_1)
    assert dict(received)['create_backup'] == {'backup': {'id': 'b2'}, 'volume': volume,
                                               'parent': {'id': 'b1'}}
    assert dict(received)['restore_backup']['create'] is True


def _parameters(function):
    return [p for p in inspect.signature(function).parameters if p not in ('self', 'ctx',
                                                                            'ctxt')]


@pytest.mark.parametrize('name', CONDUCTOR_1_2)
def test_the_conductor_serves_each_cast_with_its_arguments(name):
    assert _parameters(getattr(ConductorManager, name)) == \
        _parameters(getattr(rpcapi.ConductorAPI, name))


@pytest.mark.parametrize('name', AGENT_1_1)
def test_the_agent_serves_each_cast_with_its_arguments(name):
    client = [p for p in _parameters(getattr(rpcapi.AgentAPI, name)) if p != 'backend']
    assert _parameters(getattr(AgentManager, name)) == client
