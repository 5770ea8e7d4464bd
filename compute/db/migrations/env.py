"""Alembic environment of the compute database."""
from common.db import migration
from compute.db import models

migration.run_env(models.Base.metadata)
