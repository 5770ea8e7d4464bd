"""Throw-away databases on SQLite, MariaDB or PostgreSQL for the process helpers.

The defaults are the servers and the openstack_citest user that
./run_tests.sh prepares, so that pytest can also be run directly afterwards
(a fresh Debian's root and postgres have no password login over TCP).
"""
import contextlib
import os
import uuid

import sqlalchemy as sa

MYSQL_URL = os.environ.get('STRATUS_TEST_MYSQL_URL',
                           'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1:3306')
POSTGRESQL_URL = os.environ.get(
    'STRATUS_TEST_POSTGRESQL_URL',
    'postgresql+psycopg2://openstack_citest:openstack_citest@127.0.0.1:5432')
BACKENDS = ('sqlite', 'mysql', 'postgresql')


@contextlib.contextmanager
def database(backend, directory):
    """A new, empty database of ``backend``; yields its URL and drops it afterwards.

    A server that is not running fails the test loudly: it is never skipped.
    """
    name = f'stratus_test_{uuid.uuid4().hex[:12]}'
    if backend == 'sqlite':
        yield f'sqlite:///{os.path.join(directory, name)}.sqlite'
        return
    if backend == 'mysql':
        admin = sa.create_engine(MYSQL_URL + '/', isolation_level='AUTOCOMMIT')
        create = f'CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'
        url = f'{MYSQL_URL}/{name}?charset=utf8mb4'
    elif backend == 'postgresql':
        admin = sa.create_engine(POSTGRESQL_URL + '/postgres', isolation_level='AUTOCOMMIT')
        create = f'CREATE DATABASE {name}'
        url = f'{POSTGRESQL_URL}/{name}'
    else:
        raise ValueError(backend)
    with admin.connect() as connection:
        connection.execute(sa.text(create))
    try:
        yield url
    finally:
        with admin.connect() as connection:
            if backend == 'postgresql':
                connection.execute(sa.text(
                    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        admin.dispose()
