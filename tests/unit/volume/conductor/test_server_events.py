"""An extended ``in-use`` volume: the conductor tells compute ``volume-extended`` for
each server it is attached to, as the volume service's user; nothing for others.

The extend is recorded as in ``test_orchestration``; the compute API is
``RecordingComputeClient`` behind a real ``ServerEventSender``.
"""
import logging
import types

import pytest

from common import server_events as common_events
from stratus import exceptions as sdk_exceptions
from volume import rpcapi
from volume import states
from volume.conductor import orchestration
from volume.conductor import server_events
from volume.db import models as m
from tests.unit.volume.conductor.helpers import RecordingAgents, created, report_backend

BACKEND = 'node-1@file'
SERVER_A = 'aaaaaaaa-0000-4000-8000-000000000001'
SERVER_B = 'aaaaaaaa-0000-4000-8000-000000000002'
SERVER_GONE = 'aaaaaaaa-0000-4000-8000-000000000003'


class RecordingComputeClient:
    """Stands in for the SDK's compute proxy: records ``create_server_external_events``;
    ``fail`` is raised by each call instead; every event is answered 200."""

    def __init__(self):
        self.sent = []
        self.fail = None

    def create_server_external_events(self, events):
        if self.fail is not None:
            raise self.fail
        self.sent.append(events)
        return [{**e, 'code': 200} for e in events]


@pytest.fixture
def compute(monkeypatch, env):
    client = RecordingComputeClient()
    sender = common_events.ServerEventSender(
        env.conf, connect=lambda conf: types.SimpleNamespace(compute=client), delays=(0, 0))
    monkeypatch.setattr(server_events, 'sender', lambda conf: sender)
    client.wait = sender.shutdown  # every sending started so far has ended
    return client


@pytest.fixture
def orchestrator(env):
    return orchestration.Orchestrator(env.conf, env.db, RecordingAgents())


def extending(env, orchestrator, previous_status, attachments=()):
    """A volume the backend has grown from 1 to 2 GiB, ``previous_status`` before;
    ``attachments``: ``[(server uuid, attach status)]``."""
    report_backend(env, BACKEND)
    volume, spec = created(env)
    orchestrator.create_volume(None, volume['id'], spec)
    orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND,
                             {'provider_location': '/v/x', 'format': 'raw'}, None)
    with env.db.writer() as session:
        row = session.get(m.Volume, volume['id'])
        row.status, row.previous_status, row.requested_size = (
            states.EXTENDING, previous_status, 2)
        for uuid, status in attachments:
            session.add(m.VolumeAttachment(volume_id=volume['id'], instance_uuid=uuid,
                                           attach_status=status))
    return volume['id']


def test_an_in_use_volume_tells_compute_of_each_attached_server(env, orchestrator, compute):
    volume_id = extending(env, orchestrator, states.IN_USE, [
        (SERVER_B, states.ATTACHMENT_ATTACHED), (SERVER_A, states.ATTACHMENT_ATTACHED),
        (SERVER_GONE, states.ATTACHMENT_DETACHED)])
    assert orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, {'size': 2}, None)
    compute.wait()
    assert compute.sent == [[
        {'name': 'volume-extended', 'server_uuid': SERVER_A, 'tag': volume_id,
         'status': 'completed'},
        {'name': 'volume-extended', 'server_uuid': SERVER_B, 'tag': volume_id,
         'status': 'completed'}]]
    row = env.volume_row(volume_id)
    assert (row.status, row.size, row.previous_status) == (states.IN_USE, 2, None)


def test_an_available_volume_tells_compute_nothing(env, orchestrator, compute):
    volume_id = extending(env, orchestrator, states.AVAILABLE)
    assert orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, {'size': 2}, None)
    compute.wait()
    assert compute.sent == []
    assert env.volume_row(volume_id).status == states.AVAILABLE


def test_a_failed_extend_tells_compute_nothing(env, orchestrator, compute):
    volume_id = extending(env, orchestrator, states.IN_USE,
                          [(SERVER_A, states.ATTACHMENT_ATTACHED)])
    assert orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, None, 'no room')
    compute.wait()
    assert compute.sent == []
    assert env.volume_row(volume_id).status == states.ERROR_EXTENDING


def test_compute_unreachable_is_logged_and_the_volume_stays_extended(env, orchestrator,
                                                                      compute, caplog):
    volume_id = extending(env, orchestrator, states.IN_USE,
                          [(SERVER_A, states.ATTACHMENT_ATTACHED)])
    compute.fail = sdk_exceptions.ServerError('compute is down', status_code=503)
    with caplog.at_level(logging.INFO, logger='common.server_events'):
        assert orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, {'size': 2}, None)
        compute.wait()
    assert [r.levelname for r in caplog.records] == ['INFO', 'INFO', 'WARNING']
    assert f'volume-extended ({volume_id}) of server {SERVER_A}' in caplog.records[-1].message
    row = env.volume_row(volume_id)
    assert (row.status, row.size) == (states.IN_USE, 2)


def test_a_server_compute_does_not_know_is_not_retried(env, orchestrator, compute, caplog):
    volume_id = extending(env, orchestrator, states.IN_USE,
                          [(SERVER_A, states.ATTACHMENT_ATTACHED)])
    compute.fail = sdk_exceptions.NotFound('No instances found for any event',
                                           status_code=404)
    with caplog.at_level(logging.INFO, logger='common.server_events'):
        orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, {'size': 2}, None)
        compute.wait()
    [record] = caplog.records
    assert 'compute knows none of these servers' in record.message


def test_a_sender_that_cannot_start_is_logged(env, orchestrator, monkeypatch, caplog):
    volume_id = extending(env, orchestrator, states.IN_USE,
                          [(SERVER_A, states.ATTACHMENT_ATTACHED)])
    stopped = common_events.ServerEventSender(env.conf, connect=None)
    stopped.shutdown()
    monkeypatch.setattr(server_events, 'sender', lambda conf: stopped)
    with caplog.at_level(logging.ERROR, logger='volume.conductor.server_events'):
        assert orchestrator.volume_done(volume_id, rpcapi.EXTEND, BACKEND, {'size': 2}, None)
    assert 'Could not tell compute' in caplog.text
    assert env.volume_row(volume_id).status == states.IN_USE
