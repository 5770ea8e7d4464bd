"""The compute migrations build the models' schema, and 0002 keeps the ports it finds plugged."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
import sqlalchemy as sa

from common.db import migration
from common.db.session import Database
from compute.db import models as m

MIGRATIONS = 'compute.db.migrations'


def test_migrated_schema_matches_the_models(tmp_path):
    db = Database(f'sqlite:///{tmp_path}/compute.sqlite')
    try:
        migration.upgrade(db, MIGRATIONS)
        assert migration.is_current(db, MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={'compare_type': True})
            assert compare_metadata(context, m.Base.metadata) == []
    finally:
        db.dispose()


def test_ports_recorded_before_0002_count_as_plugged(tmp_path):
    db = Database(f'sqlite:///{tmp_path}/compute.sqlite')
    try:
        migration.upgrade(db, MIGRATIONS, revision='0001')
        with db.writer() as session:
            session.execute(sa.text(
                "INSERT INTO instances (uuid, display_name, project_id, user_id, flavor, "
                "vcpus, memory_mb, root_gb, ephemeral_gb, vm_state, power_state, locked, "
                "auto_disk_config, progress, launch_index, request_spec, "
                "requested_networks, security_groups, network_info, created_at, updated_at) "
                "VALUES ('i1', 'vm', 'p', 'u', '{}', 1, 512, 1, 0, 'active', 1, 0, 0, 0, 0, "
                "'{}', '[]', '[]', '[]', '2026-01-01', '2026-01-01')"))
            session.execute(sa.text(
                "INSERT INTO instance_ports (port_id, instance_uuid, created_by_compute, "
                "created_at) VALUES ('p1', 'i1', 1, '2026-01-01')"))
        migration.upgrade(db, MIGRATIONS)
        with db.reader() as session:
            port = session.get(m.InstancePort, 'p1')
            assert port.vif_state == 'plugged'
            assert session.execute(sa.select(m.Instance.spawned_at)).scalar_one() is None
    finally:
        db.dispose()
