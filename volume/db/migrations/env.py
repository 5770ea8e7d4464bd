"""Alembic environment of the volume database."""
from common.db import migration
from volume.db import models

migration.run_env(models.Base.metadata)
