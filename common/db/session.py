"""Engine and session factory for a service's own database.

SQLite (the default, a file under ``state_path``) runs in WAL mode so that
readers never wait for a writer, and write transactions start with
``BEGIN IMMEDIATE`` so that two writers queue instead of failing with
"database is locked" when one upgrades its read lock.  MariaDB and
PostgreSQL are reached by URL, with connections checked before use.
"""
import contextlib

import sqlalchemy as sa
from sqlalchemy import event, orm, pool

SQLITE_BUSY_TIMEOUT_MS = 30000


def _is_sqlite(url):
    return url.get_backend_name() == 'sqlite'


def _configure_sqlite(engine):
    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy (below) emit BEGIN itself, so it can choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute('PRAGMA foreign_keys=ON')
        cursor.execute(f'PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}')
        cursor.execute('PRAGMA synchronous=NORMAL')
        cursor.close()

    @event.listens_for(engine, 'begin')
    def _on_begin(connection):
        immediate = connection.get_execution_options().get('stratus_writer', False)
        connection.exec_driver_sql('BEGIN IMMEDIATE' if immediate else 'BEGIN')


class Database:
    """One service's database: ``writer()`` and ``reader()`` transactions."""

    def __init__(self, url, *, echo=False, pool_size=10):
        self.url = sa.engine.make_url(url)
        kwargs = {'echo': echo}
        if _is_sqlite(self.url):
            kwargs['connect_args'] = {'check_same_thread': False,
                                      'timeout': SQLITE_BUSY_TIMEOUT_MS / 1000}
            if self.url.database in (None, '', ':memory:'):
                kwargs['poolclass'] = pool.StaticPool
        else:
            kwargs.update(pool_pre_ping=True, pool_recycle=3600,
                          pool_size=pool_size, max_overflow=pool_size)
        if self.url.get_backend_name() in ('mysql', 'mariadb'):
            # MariaDB's default, REPEATABLE READ, keeps a transaction on the
            # snapshot of its first read: after waiting for a row lock it does
            # not see what the holder committed, and FOR UPDATE on a missing
            # row locks an index gap where concurrent inserts deadlock.  Our
            # lock-then-read patterns need READ COMMITTED, PostgreSQL's default.
            kwargs['isolation_level'] = 'READ COMMITTED'
        self.engine = sa.create_engine(self.url, **kwargs)
        if _is_sqlite(self.url):
            _configure_sqlite(self.engine)
        writer_engine = self.engine.execution_options(stratus_writer=True)
        self._reader = orm.sessionmaker(self.engine, expire_on_commit=False)
        self._writer = orm.sessionmaker(writer_engine, expire_on_commit=False)

    @property
    def backend(self):
        return self.url.get_backend_name()

    @contextlib.contextmanager
    def writer(self):
        """A session in a transaction that commits on success, rolls back on error."""
        with self._writer() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def reader(self):
        """A session for reads; nothing it does is committed."""
        # Closing the session rolls its transaction back and detaches the
        # rows without expiring them, so they stay readable afterwards.
        with self._reader() as session:
            yield session

    def ping(self):
        with self.engine.connect() as connection:
            connection.execute(sa.text('SELECT 1'))

    def dispose(self):
        self.engine.dispose()


def is_duplicate_entry(error):
    """True when an ``IntegrityError`` is a unique-constraint violation."""
    text = str(getattr(error, 'orig', error)).lower()
    return any(s in text for s in ('unique', 'duplicate', '1062'))
