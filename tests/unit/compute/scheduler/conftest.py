"""Fixtures of the scheduler tests: a compute database on in-memory SQLite and its options."""
import pytest

from common.db.session import Database
from compute import conf as compute_conf
from compute.db import models
from tests.unit import make_conf


@pytest.fixture
def sched_conf(tmp_path):
    return make_conf(tmp_path, register=compute_conf.register_opts)


@pytest.fixture
def db():
    database = Database('sqlite://')
    models.Base.metadata.create_all(database.engine)
    yield database
    database.dispose()
