"""Heartbeats and liveness (``common/db/service_records.py``)."""
import datetime

import pytest
from sqlalchemy import orm

from common.db import service_records
from common.db.session import Database
from common.db.types import utcnow


class Base(orm.DeclarativeBase):
    pass


class ServiceRecord(service_records.ServiceRecordMixin, Base):
    __tablename__ = 'services'


@pytest.fixture
def db():
    db = Database('sqlite://')
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def _beat(db, host='h1', binary='stratus-compute-agent'):
    with db.writer() as session:
        return service_records.record_heartbeat(session, ServiceRecord, host, binary,
                                                topic='compute')


def test_first_heartbeat_creates_the_record(db):
    record = _beat(db)
    assert (record.host, record.binary, record.topic) == ('h1', 'stratus-compute-agent',
                                                          'compute')
    assert record.report_count == 1
    assert record.last_seen_up is not None


def test_later_heartbeats_update_the_same_record(db):
    first = _beat(db)
    second = _beat(db)
    _beat(db, host='h2')
    assert second.id == first.id
    assert second.report_count == 2
    assert second.last_seen_up >= first.last_seen_up
    with db.reader() as session:
        assert session.query(ServiceRecord).count() == 2


def _record(seconds_ago, forced_down=False):
    seen = None if seconds_ago is None else utcnow() - datetime.timedelta(seconds=seconds_ago)
    return ServiceRecord(host='h', binary='b', last_seen_up=seen, forced_down=forced_down)


@pytest.mark.parametrize('seconds_ago, up', [(0, True), (59, True), (61, False)])
def test_is_up_within_service_down_time(seconds_ago, up):
    assert service_records.is_up(_record(seconds_ago), 10, 60) is up


@pytest.mark.parametrize('seconds_ago, up', [(24, True), (26, False)])
def test_down_time_is_at_least_two_and_a_half_heartbeats(seconds_ago, up):
    # service_down_time 5 s with a heartbeat every 10 s would flap: 25 s rule.
    assert service_records.effective_down_time(10, 5) == 25
    assert service_records.is_up(_record(seconds_ago), 10, 5) is up


def test_forced_down_is_down_even_when_beating():
    assert service_records.is_up(_record(0, forced_down=True), 10, 60) is False


def test_never_seen_is_down():
    assert service_records.is_up(_record(None), 10, 60) is False


def test_is_up_at_a_given_time():
    record = _record(0)
    later = record.last_seen_up + datetime.timedelta(seconds=120)
    assert service_records.is_up(record, 10, 60, now=later) is False
