"""``stratus-manage volume db-sync`` (``volume/cmd/manage.py``) on a SQLite file."""
import argparse
import logging

import pytest
import sqlalchemy as sa

from common.db import migration
from tests.unit import make_conf
from volume import conf as volume_conf
from volume.backend import open_database
from volume.cmd import manage
from volume.db import models as m


@pytest.fixture(autouse=True)
def _keep_logging():
    """The command configures the root logger; give pytest's handlers back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_register_adds_db_sync():
    parser = argparse.ArgumentParser()
    manage.register(parser.add_subparsers(dest='service'))
    args = parser.parse_args(['volume', 'db-sync'])
    assert args.run is manage.db_sync and args.register_opts is volume_conf.register_opts


def test_db_sync_creates_the_schema_under_state_path(tmp_path, capsys):
    conf = make_conf(tmp_path, register=volume_conf.register_opts)
    manage.db_sync(conf, None)
    manage.db_sync(conf, None)  # again: nothing to do
    assert capsys.readouterr().out.count('volume database at revision 0001') == 2
    assert (tmp_path / 'volume' / 'volume.sqlite').exists()
    db = open_database(conf)
    try:
        assert migration.is_current(db, manage.MIGRATIONS)
        with db.reader() as session:
            names = session.execute(sa.select(m.VolumeType.name)).scalars().all()
        assert names == ['__DEFAULT__']
    finally:
        db.dispose()
