"""Quota lock rows (``common/db/quota_locks.py``) on SQLite."""
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from common.db import quota_locks
from common.db.session import Database


class Base(orm.DeclarativeBase):
    pass


class QuotaLock(Base):
    __tablename__ = 'quota_locks'
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)


@pytest.fixture
def db():
    db = Database('sqlite://')
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def _rows(db):
    with db.reader() as session:
        return sorted(session.execute(sa.select(QuotaLock.project_id, QuotaLock.resource)).all())


def test_lock_creates_one_row_per_key_and_reuses_it(db):
    with db.writer() as session:
        quota_locks.lock(session, QuotaLock, project_id='p', resource='port')
        quota_locks.lock(session, QuotaLock, project_id='p', resource='port')
        quota_locks.lock(session, QuotaLock, project_id='p', resource='network')
    with db.writer() as session:
        quota_locks.lock(session, QuotaLock, project_id='p', resource='port')
        quota_locks.lock(session, QuotaLock, project_id='q', resource='port')
    assert _rows(db) == [('p', 'network'), ('p', 'port'), ('q', 'port')]


def test_a_row_inserted_meanwhile_is_not_an_error(db, monkeypatch):
    """Another request may insert the row between our look-up and our insert."""
    with db.writer() as session:
        session.add(QuotaLock(project_id='p', resource='port'))
    real_execute = orm.Session.execute
    calls = []

    def first_lookup_finds_nothing(self, statement, *args, **kwargs):
        calls.append(statement)
        if len(calls) == 1:
            statement = statement.where(sa.false())
        return real_execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(orm.Session, 'execute', first_lookup_finds_nothing)
    with db.writer() as session:
        quota_locks.lock(session, QuotaLock, project_id='p', resource='port')
    assert _rows(db) == [('p', 'port')]
