"""The volume migrations build exactly the models, with the default volume type."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from common.db import migration
from common.db.session import Database
from volume.db import models as m

MIGRATIONS = 'volume.db.migrations'


def test_migrated_schema_matches_the_models(tmp_path):
    db = Database(f'sqlite:///{tmp_path}/volume.sqlite')
    try:
        migration.upgrade(db, MIGRATIONS)
        assert migration.is_current(db, MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={'compare_type': True})
            assert compare_metadata(context, m.Base.metadata) == []
        with db.reader() as session:
            (default,) = session.execute(sa.select(m.VolumeType)).scalars()
            assert (default.name, default.is_public) == ('__DEFAULT__', True)
        migration.upgrade(db, MIGRATIONS)  # again: nothing to do, nothing added
        with db.reader() as session:
            assert session.execute(sa.select(sa.func.count()).select_from(m.VolumeType))\
                .scalar_one() == 1
    finally:
        db.dispose()
