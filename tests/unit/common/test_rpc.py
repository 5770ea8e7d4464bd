"""RPC and notifications over the in-process ``fake://`` transport (``common/rpc.py``)."""
import threading
import types
import uuid

import oslo_messaging as messaging
import pytest

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf

TOPIC = 'test-topic'


class Endpoint:
    """A trivial RPC API: answers ``ping``, records ``poke`` and the contexts seen."""
    target = messaging.Target(version='1.2')

    def __init__(self):
        self.contexts = {}
        self.poked = {}

    def ping(self, ctxt, value):
        self.contexts[ctxt.request_id] = ctxt
        return {'pong': value, 'request_id': ctxt.request_id}

    def poke(self, ctxt, value):
        self.poked.setdefault(value, threading.Event()).set()

    def fail(self, ctxt):
        raise ValueError('endpoint refused')


class Recorder:
    """A notification listener endpoint that keeps what it hears."""

    def __init__(self):
        self.heard = {}
        self._condition = threading.Condition()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self._condition:
            self.heard[event_type] = (ctxt, publisher_id, payload)
            self._condition.notify_all()

    def wait_for(self, event_type, timeout=10):
        with self._condition:
            self._condition.wait_for(lambda: event_type in self.heard, timeout)
            return self.heard[event_type]


@pytest.fixture(scope='module')
def bus(tmp_path_factory):
    """One fake transport with an RPC server and a notification listener.

    Starting and stopping oslo.messaging servers takes about a second each,
    so the module shares them; tests tell their messages apart by ids.
    """
    conf = make_conf(tmp_path_factory.mktemp('rpc'))
    # The fake transport's exchanges are process-wide: one for this module.
    conf.set_override('control_exchange', f'test-{uuid.uuid4().hex}')
    transport = rpc.get_transport(conf)
    endpoint = Endpoint()
    server = rpc.get_server(transport, TOPIC, 'host1', [endpoint], '1.2')
    server.start()
    notification_transport = messaging.get_notification_transport(conf)
    recorder = Recorder()
    listener = messaging.get_notification_listener(
        notification_transport, [messaging.Target(topic=rpc.NOTIFICATION_TOPIC)], [recorder],
        executor='threading', serializer=rpc.ContextSerializer())
    listener.start()
    yield types.SimpleNamespace(conf=conf, transport=transport, endpoint=endpoint,
                                notification_transport=notification_transport,
                                recorder=recorder)
    for running in (server, listener):
        running.stop()
        running.wait()
    transport.cleanup()


def _context():
    return RequestContext(user_id='u1', project_id='p1', roles=['member'],
                          request_id=f'req-{uuid.uuid4()}', global_request_id=f'req-{uuid.uuid4()}',
                          overwrite=False)


def test_call_returns_the_result_and_carries_the_context(bus):
    client = rpc.get_client(bus.transport, TOPIC, '1.0', timeout=10)
    ctx = _context()
    assert client.call(ctx, 'ping', value=7) == {'pong': 7, 'request_id': ctx.request_id}
    seen = bus.endpoint.contexts[ctx.request_id]
    assert isinstance(seen, RequestContext)
    assert (seen.global_request_id, seen.user_id, seen.project_id, seen.roles) == \
        (ctx.global_request_id, 'u1', 'p1', ['member'])


def test_cast_is_delivered(bus):
    value = uuid.uuid4().hex
    event = bus.endpoint.poked.setdefault(value, threading.Event())
    rpc.get_client(bus.transport, TOPIC, '1.0').cast(_context(), 'poke', value=value)
    assert event.wait(10)


def test_call_to_one_server(bus):
    client = rpc.get_client(bus.transport, TOPIC, '1.0', server='host1', timeout=10)
    assert client.call(_context(), 'ping', value='x')['pong'] == 'x'


def test_remote_error_comes_back_to_the_caller(bus):
    client = rpc.get_client(bus.transport, TOPIC, '1.0', timeout=10)
    # RabbitMQ delivers a RemoteError; the fake transport re-raises the original.
    with pytest.raises((messaging.RemoteError, ValueError), match='endpoint refused'):
        client.call(_context(), 'fail')


def test_private_methods_are_not_callable(bus):
    client = rpc.get_client(bus.transport, TOPIC, '1.0', timeout=10)
    with pytest.raises((messaging.RemoteError, messaging.NoSuchMethod), match='_private'):
        client.call(_context(), '_private')


def test_version_cap_refuses_newer_calls(bus):
    client = rpc.get_client(bus.transport, TOPIC, '1.0', version_cap='1.1')
    assert client.can_send_version('1.1')
    assert not client.can_send_version('1.2')
    with pytest.raises(messaging.RPCVersionCapError):
        client.prepare(version='1.2').cast(_context(), 'poke', value='never')



class Untargeted:
    """An endpoint without a ``target`` of its own, as most of ours are."""

    def echo(self, ctxt, value):
        return value


def test_an_endpoint_without_target_serves_the_server_version(bus):
    server = rpc.get_server(bus.transport, 'untargeted-topic', 'host1', [Untargeted()], '1.1')
    server.start()
    try:
        client = rpc.get_client(bus.transport, 'untargeted-topic', '1.1', timeout=10)
        assert client.call(_context(), 'echo', value='v1.1') == 'v1.1'
    finally:
        server.stop()
        server.wait()

def test_notifier_sends_with_the_context(bus):
    ctx = _context()
    rpc.Notifier(bus.conf, 'identity', transport=bus.notification_transport).info(
        ctx, 'identity.project.created', {'resource_info': 'p1'})
    heard_ctx, publisher, payload = bus.recorder.wait_for('identity.project.created')
    assert (publisher, payload) == ('identity', {'resource_info': 'p1'})
    assert heard_ctx.request_id == ctx.request_id


def test_notifier_without_context_sends_as_the_service(bus):
    rpc.Notifier(bus.conf, 'identity', transport=bus.notification_transport).info(
        None, 'identity.service.started', {})
    heard_ctx, _publisher, _payload = bus.recorder.wait_for('identity.service.started')
    assert heard_ctx.roles == ['admin'] and heard_ctx.user_id is None


@pytest.mark.parametrize('level', ['info', 'error'])
def test_notifier_swallows_a_failing_transport(conf, caplog, level):
    transport = messaging.get_notification_transport(conf)

    def broker_down(*args, **kwargs):
        raise messaging.MessageDeliveryFailure('broker unreachable')

    # The broker is the process boundary: make the transport fail to send.
    transport._send_notification = broker_down
    notifier = rpc.Notifier(conf, 'identity', transport=transport)
    # The change being reported is committed: the caller must not fail.
    getattr(notifier, level)(_context(), 'identity.user.deleted', {'resource_info': 'u'})
    assert 'identity.user.deleted' in caplog.text
    assert any(r.levelname == 'ERROR' for r in caplog.records)


def test_register_opts_defaults(conf):
    assert conf.oslo_messaging_notifications.driver == ['messagingv2']
    assert conf.oslo_messaging_notifications.notification_retry == 2
