"""Alembic environment of the identity database."""
from common.db import migration
from identity.db import models

migration.run_env(models.Base.metadata)
