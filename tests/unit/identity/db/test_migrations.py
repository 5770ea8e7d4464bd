"""The Alembic migrations of the identity database build what the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from common.db import migration
from common.db.session import Database
from identity.db import models as m

MIGRATIONS = 'identity.db.migrations'


@pytest.fixture
def db(tmp_path):
    db = Database(f'sqlite:///{tmp_path}/identity.sqlite')
    yield db
    db.dispose()


def test_upgrade_reaches_head_and_is_idempotent(db):
    assert migration.current_revision(db) is None
    assert not migration.is_current(db, MIGRATIONS)
    migration.upgrade(db, MIGRATIONS)
    assert migration.current_revision(db) == migration.head_revision(db, MIGRATIONS)
    assert migration.is_current(db, MIGRATIONS)
    migration.upgrade(db, MIGRATIONS)
    assert migration.is_current(db, MIGRATIONS)


def test_migrated_schema_matches_the_models(db):
    migration.upgrade(db, MIGRATIONS)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'compare_type': True})
        differences = compare_metadata(context, m.Base.metadata)
    assert differences == []


def test_migrated_database_serves_the_api(tmp_path, db):
    """Bootstrap and a token on the migrated schema, not on create_all's."""
    from identity import bootstrap
    from identity.backend import Backend, key_repository
    from identity.token import fernet_keys
    from tests.unit import make_conf
    from tests.unit.identity import factories as f
    from tests.unit.identity.fixtures import register_opts

    migration.upgrade(db, MIGRATIONS)
    conf = make_conf(tmp_path, register=register_opts, identity__password_hash_rounds=4)
    backend = Backend(conf, db=db)
    fernet_keys.setup(key_repository(conf))
    with backend.writer() as session:
        bootstrap.bootstrap(session, backend, bootstrap.BootstrapRequest(
            username='admin', password='pw'))
    with backend.reader() as session:
        admin = backend.users.find_user(session, name='admin', domain_id='default')
        project = backend.resource.find_project(session, name='admin', domain_id='default')
    token = f.token_for(backend, admin, project=project)
    with backend.reader() as session:
        assert backend.tokens.validate(session, token).is_admin_project
