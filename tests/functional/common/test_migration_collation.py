"""Migrations on MariaDB give case-sensitive names, however the database was created."""
import uuid

import sqlalchemy as sa

from common.db import migration
from common.db.session import Database
from tests import servers


def test_identity_names_are_case_sensitive_on_a_default_collation_database():
    name = f'stratus_test_{uuid.uuid4().hex[:12]}'
    admin = sa.create_engine(servers.MYSQL_URL + '/', isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.execute(sa.text(
            f'CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci'))
    db = Database(f'{servers.MYSQL_URL}/{name}?charset=utf8mb4')
    try:
        migration.upgrade(db, 'identity.db.migrations')
        with db.writer() as session:
            session.execute(sa.text(
                "INSERT INTO domains (id, name, description, enabled, tags, extra, created_at) "
                "VALUES ('d1', 'Admin', '', 1, '[]', '{}', NOW()), "
                "('d2', 'admin', '', 1, '[]', '{}', NOW())"))
        with db.reader() as session:
            found = session.execute(sa.text(
                "SELECT id FROM domains WHERE name = 'admin'")).scalars().all()
        assert found == ['d2']
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        admin.dispose()
