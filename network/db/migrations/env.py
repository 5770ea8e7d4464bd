"""Alembic environment of the network database."""
from common.db import migration
from network.db import models

migration.run_env(models.Base.metadata)
