"""The network migrations (0002 adds routers, router ports, floating IPs) build the models."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from common.db import migration
from common.db.session import Database
from network.db import models as m

MIGRATIONS = 'network.db.migrations'


def test_migrated_schema_matches_the_models(tmp_path):
    db = Database(f'sqlite:///{tmp_path}/network.sqlite')
    try:
        migration.upgrade(db, MIGRATIONS)
        assert migration.is_current(db, MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={'compare_type': True})
            assert compare_metadata(context, m.Base.metadata) == []
    finally:
        db.dispose()
