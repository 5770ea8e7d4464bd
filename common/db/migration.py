"""Alembic, driven from code: each service keeps its migrations in
``<service>/db/migrations`` and ``stratus-manage <service> db-sync`` runs them.
"""
import importlib.resources

from alembic import command
from alembic import context as alembic_context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


def _config(database, package):
    cfg = Config()
    cfg.set_main_option('script_location', str(importlib.resources.files(package)))
    cfg.attributes['engine'] = database.engine
    return cfg


def upgrade(database, package, revision='head'):
    """Bring ``database`` to ``revision`` with the migrations in ``package``."""
    command.upgrade(_config(database, package), revision)


def current_revision(database):
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(database, package):
    return ScriptDirectory.from_config(_config(database, package)).get_current_head()


def is_current(database, package):
    return current_revision(database) == head_revision(database, package)


def run_env(metadata):
    """The body of every service's ``env.py``: run online, on the given engine."""
    engine = alembic_context.config.attributes['engine']
    with engine.connect() as connection:
        if engine.dialect.name in ('mysql', 'mariadb'):
            # Names are case-sensitive on SQLite and PostgreSQL; MariaDB's
            # default collation would make "Admin" collide with "admin".
            # Tables created from here on inherit the database's default.
            connection.exec_driver_sql(
                'ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin')
        alembic_context.configure(connection=connection, target_metadata=metadata,
                                  render_as_batch=engine.dialect.name == 'sqlite',
                                  compare_type=True)
        with alembic_context.begin_transaction():
            alembic_context.run_migrations()
        connection.commit()
