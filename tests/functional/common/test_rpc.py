"""``common.rpc`` against the real RabbitMQ: call, cast, context, timeouts, versions, notifier."""
import threading
import time
import uuid

import oslo_messaging as messaging
import pytest

from common import rpc
from common.context import RequestContext
from tests import servers
from tests.functional.common.conftest import HOST, make_conf


class Endpoint:
    """The test RPC API, version 1.1 (``echo`` and ``record`` since 1.0, ``fail`` since 1.1)."""
    target = messaging.Target(version='1.1')

    def __init__(self):
        self.recorded = []
        self.arrived = threading.Event()

    def echo(self, ctxt, value):
        return {'value': value, 'context_type': type(ctxt).__name__,
                'request_id': ctxt.request_id, 'global_request_id': ctxt.global_request_id,
                'user_id': ctxt.user_id, 'project_id': ctxt.project_id, 'roles': ctxt.roles}

    def record(self, ctxt, value):
        self.recorded.append((value, ctxt.request_id))
        self.arrived.set()

    def fail(self, ctxt, message):
        raise ValueError(message)


@pytest.fixture
def served(transport, topic):
    """An RPC server with ``Endpoint`` on ``topic``; stopped afterwards."""
    endpoint = Endpoint()
    server = rpc.get_server(transport, topic, HOST, [endpoint], '1.1')
    server.start()
    yield endpoint
    server.stop()
    server.wait()


def a_context():
    return RequestContext(request_id=f'req-{uuid.uuid4()}', global_request_id=f'req-{uuid.uuid4()}',
                          user_id=uuid.uuid4().hex, project_id=uuid.uuid4().hex,
                          roles=['member', 'reader'], overwrite=False)


def test_call_returns_and_the_context_travels(transport, topic, served):
    client = rpc.get_client(transport, topic, '1.0', timeout=30)
    ctx = a_context()
    value = {'nested': [1, 'two', {'three': None}]}
    result = client.call(ctx, 'echo', value=value)
    assert result == {'value': value, 'context_type': 'RequestContext',
                      'request_id': ctx.request_id, 'global_request_id': ctx.global_request_id,
                      'user_id': ctx.user_id, 'project_id': ctx.project_id,
                      'roles': ['member', 'reader']}
    # The same server is reachable on its host-directed topic too.
    directed = client.prepare(server=HOST)
    assert directed.call(ctx, 'echo', value=1)['value'] == 1


def test_cast_arrives_with_its_context(transport, topic, served):
    client = rpc.get_client(transport, topic, '1.0')
    ctx = a_context()
    started = time.monotonic()
    assert client.cast(ctx, 'record', value='hello') is None
    assert time.monotonic() - started < 5  # fire and forget: no waiting for the server
    assert served.arrived.wait(30)
    assert served.recorded == [('hello', ctx.request_id)]


def test_call_to_a_topic_nobody_serves_times_out(transport):
    client = rpc.get_client(transport, servers.unique_name('stratus-test-nobody'), '1.0',
                            timeout=2)
    started = time.monotonic()
    with pytest.raises(messaging.MessagingTimeout):
        client.call(a_context(), 'echo', value=1)
    elapsed = time.monotonic() - started
    assert 2 <= elapsed < 10, elapsed


def test_remote_errors_come_back_and_the_server_carries_on(transport, topic, served):
    client = rpc.get_client(transport, topic, '1.1', timeout=30)
    with pytest.raises((ValueError, messaging.RemoteError)) as raised:
        client.call(a_context(), 'fail', message='no such thing')
    assert 'no such thing' in str(raised.value)
    assert client.call(a_context(), 'echo', value='still here')['value'] == 'still here'


def test_versions_are_negotiated(transport, topic, served):
    # A client capped at 1.0 refuses to send a 1.1 message itself ...
    capped = rpc.get_client(transport, topic, '1.0', version_cap='1.0', timeout=30)
    assert not capped.can_send_version('1.1')
    with pytest.raises(messaging.RPCVersionCapError):
        capped.prepare(version='1.1').call(a_context(), 'fail', message='x')
    # ... and a server at 1.1 refuses a 2.0 message (a major version it lacks).
    newer = rpc.get_client(transport, topic, '2.0', timeout=30)
    with pytest.raises((messaging.UnsupportedVersion, messaging.RemoteError)) as raised:
        newer.call(a_context(), 'echo', value=1)
    assert 'UnsupportedVersion' in repr(raised.value) or 'version' in str(raised.value).lower()


def test_notifier_sends_on_the_notifications_topic():
    conf = make_conf()
    transport = messaging.get_notification_transport(conf)
    try:
        notifier = rpc.Notifier(conf, 'compute.functional-test', transport=transport)
        ctx = a_context()
        ctx.auth_token = 'secret-token-never-broadcast'
        marker = uuid.uuid4().hex
        with servers.NotificationQueue() as bus:
            notifier.info(ctx, 'compute.instance.create.end', {'instance_id': marker})
            notifier.error(ctx, 'compute.instance.create.error', {'instance_id': marker})
            found = bus.wait_for(lambda m: m['payload'].get('instance_id') == marker and
                                 m['priority'] == 'ERROR')
            assert found
            bus.drain(0.3)
            mine = [m for m in bus.received if m['payload'].get('instance_id') == marker]
    finally:
        transport.cleanup()
    assert [(m['event_type'], m['priority']) for m in mine] == [
        ('compute.instance.create.end', 'INFO'), ('compute.instance.create.error', 'ERROR')]
    assert {m['publisher_id'] for m in mine} == {'compute.functional-test'}
    assert {m['_context_request_id'] for m in mine} == {ctx.request_id}
    assert 'secret-token-never-broadcast' not in repr(mine)


def test_notifier_drops_what_it_cannot_send_without_failing_the_caller():
    """The change was committed: a broker that is down must not fail the API call."""
    conf = make_conf(transport_url=f'rabbit://guest:guest@127.0.0.1:{servers.free_port()}/')
    conf.set_override('notification_retry', 0, group='oslo_messaging_notifications')
    transport = messaging.get_notification_transport(conf)
    try:
        notifier = rpc.Notifier(conf, 'identity', transport=transport)
        started = time.monotonic()
        notifier.info(a_context(), 'identity.project.created', {'resource_info': 'x'})
        assert time.monotonic() - started < 30
    finally:
        transport.cleanup()
