"""Alembic environment of the image database."""
from common.db import migration
from image.db import models

migration.run_env(models.Base.metadata)
