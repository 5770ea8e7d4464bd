"""The process side of conductors and agents (``common/service.py``).

The RPC server runs on the in-process ``fake://`` transport with a trivial
endpoint; periodic tasks run with intervals of a few milliseconds.
"""
import logging
import os
import signal
import threading
import time
import uuid

import pytest

from common import rpc
from common import service as service_mod
from common.context import RequestContext


class Echo:
    def echo(self, ctxt, value):
        return value


def _wait_until(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.fixture
def conf(conf):
    conf.set_override('host', 'host1')
    conf.set_override('report_interval', 1)
    conf.set_override('control_exchange', f'test-{uuid.uuid4().hex}')
    return conf


@pytest.fixture
def started():
    """Services started by a test, stopped after it whatever happens."""
    services = []
    yield services
    for svc in services:
        if not svc.stopped:
            svc.stop(timeout=5)


def _start(started, svc):
    started.append(svc)
    svc.start()
    return svc


def test_periodic_task_runs_repeatedly(conf, started):
    runs = []
    task = service_mod.PeriodicTask('count', 0.005, lambda: runs.append(time.monotonic()))
    _start(started, service_mod.Service(conf, binary='stratus-test', periodic_tasks=[task]))
    assert _wait_until(lambda: len(runs) >= 3)


def test_failing_task_keeps_running(conf, started, caplog):
    calls = []

    def flaky():
        calls.append(1)
        raise RuntimeError('database unreachable')

    task = service_mod.PeriodicTask('flaky', 0.005, flaky)
    _start(started, service_mod.Service(conf, binary='stratus-test', periodic_tasks=[task]))
    assert _wait_until(lambda: len(calls) >= 3)
    assert 'Periodic task flaky failed' in caplog.text


def test_initial_delay_postpones_the_first_run(conf, started):
    runs = []
    task = service_mod.PeriodicTask('late', 0.005, lambda: runs.append(1), initial_delay=60)
    svc = _start(started, service_mod.Service(conf, binary='stratus-test',
                                              periodic_tasks=[task]))
    time.sleep(0.05)
    svc.stop(timeout=5)
    assert runs == []


def test_heartbeat_runs_at_start_and_survives_failures(conf, started):
    beats = []

    def heartbeat():
        beats.append(1)
        if len(beats) == 1:
            raise ConnectionError('broker down')

    # report_interval is 1 s: the first beat is immediate, the second after 1 s.
    _start(started, service_mod.Service(conf, binary='stratus-test', heartbeat=heartbeat))
    assert _wait_until(lambda: len(beats) >= 2, timeout=5)


def test_stop_ends_the_tasks(conf, started):
    runs = []
    task = service_mod.PeriodicTask('count', 0.005, lambda: runs.append(1))
    svc = _start(started, service_mod.Service(conf, binary='stratus-test',
                                              periodic_tasks=[task]))
    assert _wait_until(lambda: runs)
    svc.stop(timeout=5)
    assert svc.stopped
    count = len(runs)
    time.sleep(0.05)
    assert len(runs) == count
    assert not [t for t in threading.enumerate() if t.name == 'stratus-test-count']


def test_rpc_server_answers_until_stopped(conf, started):
    transport = rpc.get_transport(conf)
    svc = _start(started, service_mod.Service(conf, binary='stratus-test', topic='test-svc',
                                              endpoints=[Echo()], transport=transport))
    client = rpc.get_client(transport, 'test-svc', '1.0', timeout=10)
    ctx = RequestContext(request_id=f'req-{uuid.uuid4()}')
    assert client.call(ctx, 'echo', value='hello') == 'hello'
    # The server also listens on topic.host, for calls to this one host.
    assert client.prepare(server='host1').call(ctx, 'echo', value=1) == 1
    svc.stop(timeout=5)
    with pytest.raises(Exception):  # noqa: B017 - MessagingTimeout: nobody answers now
        client.prepare(timeout=0.2).call(ctx, 'echo', value='anyone?')


def test_service_without_topic_has_no_rpc_server(conf, started):
    svc = _start(started, service_mod.Service(conf, binary='stratus-test'))
    assert svc.topic is None and svc.host == 'host1'
    svc.stop(timeout=5)
    assert svc.stopped


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_launch_stops_promptly_on_a_signal(conf, caplog, signum):
    caplog.set_level(logging.INFO, logger='common.service')
    runs = []
    task = service_mod.PeriodicTask('count', 0.005, lambda: runs.append(1))
    svc = service_mod.Service(conf, binary='stratus-test', periodic_tasks=[task])
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    sent = []

    def signal_when_running():
        if not _wait_until(lambda: runs):
            return
        # Keep signalling, so that a lost signal fails the timing below
        # instead of hanging the test run.
        while not svc.stopped and len(sent) < 50:
            sent.append(time.monotonic())
            os.kill(os.getpid(), signum)
            time.sleep(0.5)

    sender = threading.Thread(target=signal_when_running)
    sender.start()
    try:
        service_mod.launch(svc)
        returned = time.monotonic()
    finally:
        svc.stop(timeout=5)
        sender.join()
        for number, handler in previous.items():
            signal.signal(number, handler)
    assert svc.stopped
    assert len(sent) == 1, 'the first signal was not acted on'
    assert returned - sent[0] < 2
    assert f'Received signal {signal.Signals(signum).name}' in caplog.text
