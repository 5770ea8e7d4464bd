"""``common.service.Service``: RPC server, heartbeat into a real SQLite file, periodic
tasks, graceful stop, and ``launch()`` in a real process stopped by SIGTERM."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import oslo_messaging as messaging
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from common import rpc
from common import service as common_service
from common.context import RequestContext
from common.db import service_records
from common.db.session import Database
from common.db.types import utcnow
from tests.functional.common.conftest import HOST, make_conf

BINARY = 'stratus-test-conductor'


class Base(orm.DeclarativeBase):
    pass


class ServiceRecord(service_records.ServiceRecordMixin, Base):
    """The smallest service-record table a service could have."""
    __tablename__ = 'services'


def wait_until(predicate, timeout=30, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'services.sqlite'}")
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def record_of(db, binary=BINARY):
    with db.reader() as session:
        return session.execute(sa.select(ServiceRecord).where(
            ServiceRecord.host == HOST, ServiceRecord.binary == binary)).scalar_one_or_none()


class Conductor:
    """A test endpoint whose ``slow`` call lets a test stop the service mid-call."""
    target = messaging.Target(version='1.0')

    def __init__(self):
        self.slow_started = threading.Event()

    def ping(self, ctxt):
        return 'pong'

    def slow(self, ctxt, seconds):
        self.slow_started.set()
        time.sleep(seconds)
        return 'finished'


def test_heartbeat_periodic_tasks_and_graceful_stop(database, transport, topic):
    conf = make_conf(report_interval=1)
    ticks = []

    def heartbeat():
        with database.writer() as session:
            service_records.record_heartbeat(session, ServiceRecord, conf.host, BINARY, topic)

    endpoint = Conductor()
    service = common_service.Service(
        conf, binary=BINARY, topic=topic, endpoints=[endpoint], heartbeat=heartbeat,
        periodic_tasks=[common_service.PeriodicTask('tick', 0.2, lambda: ticks.append(1),
                                                    initial_delay=0.1)],
        transport=transport)
    answers = []
    service.start()
    try:
        client = rpc.get_client(transport, topic, '1.0', timeout=30)
        assert client.call(RequestContext.admin(), 'ping') == 'pong'

        # The heartbeat runs at once, then every report_interval, into the database.
        first = wait_until(lambda: record_of(database))
        assert first.topic == topic and first.report_count >= 1
        record = wait_until(lambda: (r := record_of(database)) and r.report_count >= 3 and r)
        assert record.report_count >= 3
        assert (utcnow() - record.last_seen_up).total_seconds() < 5
        assert service_records.is_up(record, conf.report_interval, conf.service_down_time)
        assert record.last_seen_up > first.last_seen_up
        assert len(ticks) >= 5  # 0.2 s task over the 2+ s of three heartbeats

        # Stopping waits for the call in flight, which returns its result.
        caller = threading.Thread(target=lambda: answers.append(
            client.call(RequestContext.admin(), 'slow', seconds=1.5)))
        caller.start()
        assert endpoint.slow_started.wait(30)
    finally:
        stop_started = time.monotonic()
        service.stop()
    stop_took = time.monotonic() - stop_started
    caller.join(30)
    assert answers == ['finished']
    assert 1.0 <= stop_took < 15  # it waited for the 1.5 s call that had just started
    assert service.stopped

    # After the stop nothing runs any more: no heartbeat, no task, no RPC server.
    count, tick_count = record_of(database).report_count, len(ticks)
    time.sleep(1.5)
    assert record_of(database).report_count == count
    assert len(ticks) == tick_count
    assert not any(t.is_alive() for t in threading.enumerate()
                   if t.name.startswith(f'{BINARY}-'))
    with pytest.raises(messaging.MessagingTimeout):
        rpc.get_client(transport, topic, '1.0', timeout=2).call(RequestContext.admin(), 'ping')


def test_a_failing_heartbeat_is_retried_not_fatal(database):
    conf = make_conf(report_interval=1)
    attempts = []

    def heartbeat():
        attempts.append(time.monotonic())
        if len(attempts) <= 2:  # the database is "down" for the first two beats
            raise sa.exc.OperationalError('SELECT 1', {}, Exception('database is down'))
        with database.writer() as session:
            service_records.record_heartbeat(session, ServiceRecord, conf.host, BINARY)

    service = common_service.Service(conf, binary=BINARY, heartbeat=heartbeat)
    service.start()
    try:
        record = wait_until(lambda: record_of(database), timeout=30)
    finally:
        service.stop()
    assert record is not None and record.report_count == 1
    assert len(attempts) >= 3
    # The failed beats were retried at the report interval, not in a tight loop.
    assert attempts[2] - attempts[0] >= 1.5


LAUNCHED = textwrap.dedent('''
    import sys
    import time

    import sqlalchemy as sa
    from sqlalchemy import orm

    from common import log
    from common import service
    from common.db import service_records
    from common.db.session import Database
    from tests.functional.common.conftest import make_conf

    class Base(orm.DeclarativeBase):
        pass

    class ServiceRecord(service_records.ServiceRecordMixin, Base):
        __tablename__ = 'services'

    database_url, topic, marker = sys.argv[1:4]
    conf = make_conf(report_interval=1)
    log.setup(conf, 'test-launch')
    db = Database(database_url)

    def heartbeat():
        with db.writer() as session:
            service_records.record_heartbeat(session, ServiceRecord, conf.host,
                                             'stratus-test-launched', topic)

    def tick():
        with open(marker, 'a') as handle:
            handle.write('tick\\n')

    service.launch(service.Service(
        conf, binary='stratus-test-launched', topic=topic, endpoints=[], heartbeat=heartbeat,
        periodic_tasks=[service.PeriodicTask('tick', 0.2, tick)]))
    print('launch returned', flush=True)
''')


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT], ids=['SIGTERM', 'SIGINT'])
def test_launch_runs_until_signalled_then_stops(database, topic, tmp_path, signum):
    script = tmp_path / 'launched.py'
    script.write_text(LAUNCHED)
    marker = tmp_path / 'ticks'
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    process = subprocess.Popen(
        [sys.executable, str(script), str(database.url), topic, str(marker)],
        cwd=repo, env={**os.environ, 'PYTHONPATH': repo}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        record = wait_until(lambda: (r := record_of(database, 'stratus-test-launched'))
                            and r.report_count >= 2 and r, timeout=60)
        assert record, 'the launched service never heartbeat twice'
        assert process.poll() is None
        process.send_signal(signum)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert 'launch returned' in output
    assert f'Received signal {signal.Signals(signum).name}' in output
    assert 'Stopping stratus-test-launched' in output
    ticks = marker.read_text().count('tick')
    count = record_of(database, 'stratus-test-launched').report_count
    time.sleep(1.2)
    assert marker.read_text().count('tick') == ticks
    assert record_of(database, 'stratus-test-launched').report_count == count
