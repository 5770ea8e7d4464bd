"""Deadlock victims are run again; other errors are not."""
import pytest
from sqlalchemy import exc as sa_exc

from common.db.session import Database
from network.db import retry


class FakeDriverError(Exception):
    pass


def _error(message):
    return sa_exc.OperationalError('INSERT …', {}, FakeDriverError(message))


@pytest.fixture
def db():
    database = Database('sqlite://')
    yield database
    database.dispose()


def test_deadlock_victim_is_retried(db):
    calls = []

    def work(session):
        calls.append(1)
        if len(calls) < 3:
            raise _error('(1213, Deadlock found when trying to get lock)')
        return 'done'
    assert retry.in_writer(db, work) == 'done'
    assert len(calls) == 3


def test_gives_up_after_the_attempts(db):
    calls = []

    def work(session):
        calls.append(1)
        raise _error('deadlock detected')
    with pytest.raises(sa_exc.OperationalError):
        retry.in_writer(db, work, attempts=2)
    assert len(calls) == 2


def test_other_errors_are_not_retried(db):
    calls = []

    def work(session):
        calls.append(1)
        raise _error('no such table: ports')
    with pytest.raises(sa_exc.OperationalError):
        retry.in_writer(db, work)
    assert len(calls) == 1
