"""Engines and transactions (``common/db/session.py``) on SQLite."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from common.db.session import Database, is_duplicate_entry


class Base(orm.DeclarativeBase):
    pass


class Counter(Base):
    __tablename__ = 'counters'
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(32), unique=True)
    value: orm.Mapped[int] = orm.mapped_column(default=0)


def _database(url):
    db = Database(url)
    Base.metadata.create_all(db.engine)
    return db


@pytest.fixture
def memory_db():
    db = _database('sqlite://')
    yield db
    db.dispose()


@pytest.fixture
def file_db(tmp_path):
    db = _database(f'sqlite:///{tmp_path}/test.sqlite')
    yield db
    db.dispose()


def _names(db):
    with db.reader() as session:
        return sorted(session.execute(sa.select(Counter.name)).scalars())


def test_writer_commits(memory_db):
    with memory_db.writer() as session:
        session.add(Counter(name='a'))
    assert _names(memory_db) == ['a']


def test_writer_rolls_back_on_error(memory_db):
    with pytest.raises(RuntimeError):
        with memory_db.writer() as session:
            session.add(Counter(name='a'))
            session.flush()
            raise RuntimeError('boom')
    assert _names(memory_db) == []


def test_reader_commits_nothing(memory_db):
    with memory_db.reader() as session:
        session.add(Counter(name='a'))
        session.flush()
    assert _names(memory_db) == []


def test_rows_stay_readable_after_the_transaction(memory_db):
    with memory_db.writer() as session:
        row = Counter(name='a')
        session.add(row)
    # expire_on_commit=False: views can render rows after the commit.
    assert row.name == 'a' and row.id is not None


def test_in_memory_database_is_shared_between_sessions_and_threads(memory_db):
    with memory_db.writer() as session:
        session.add(Counter(name='a'))
    seen = []
    thread = threading.Thread(target=lambda: seen.extend(_names(memory_db)))
    thread.start()
    thread.join()
    assert seen == ['a']


def test_unique_violation_is_recognised(memory_db):
    with pytest.raises(sa_exc.IntegrityError) as caught:
        with memory_db.writer() as session:
            session.add_all([Counter(name='a'), Counter(name='a')])
    assert is_duplicate_entry(caught.value)
    assert _names(memory_db) == []


def test_other_integrity_errors_are_not_duplicates(memory_db):
    with pytest.raises(sa_exc.IntegrityError) as caught:
        with memory_db.writer() as session:
            session.execute(sa.text('INSERT INTO counters (id, name, value) VALUES (1, NULL, 0)'))
            session.execute(sa.text('CREATE TABLE t (x INTEGER NOT NULL)'))
            session.execute(sa.text('INSERT INTO t (x) VALUES (NULL)'))
    assert not is_duplicate_entry(caught.value)


def test_ping_and_backend(memory_db):
    memory_db.ping()
    assert memory_db.backend == 'sqlite'


def test_file_database_runs_in_wal_mode_with_foreign_keys(file_db):
    with file_db.engine.connect() as connection:
        assert connection.exec_driver_sql('PRAGMA journal_mode').scalar() == 'wal'
        assert connection.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1


def test_concurrent_writers_queue_instead_of_failing(file_db):
    """Read-then-write transactions from two threads all commit (BEGIN IMMEDIATE)."""
    with file_db.writer() as session:
        session.add(Counter(name='shared', value=0))
    errors = []

    def increment_many():
        try:
            for _ in range(25):
                with file_db.writer() as session:
                    row = session.execute(sa.select(Counter).where(
                        Counter.name == 'shared')).scalar_one()
                    row.value += 1
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=increment_many) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with file_db.reader() as session:
        assert session.execute(sa.select(Counter.value)).scalar_one() == 75


def test_reader_sees_committed_state_while_a_writer_is_open(file_db):
    with file_db.writer() as session:
        session.add(Counter(name='before'))
    with file_db.writer() as session:
        session.add(Counter(name='uncommitted'))
        session.flush()
        # WAL: a reader in another thread neither waits nor sees the write.
        seen = []
        thread = threading.Thread(target=lambda: seen.extend(_names(file_db)))
        thread.start()
        thread.join(timeout=10)
        assert seen == ['before']
