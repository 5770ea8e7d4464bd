"""Concurrent creates of one project never exceed its quota, on every database backend.

Each thread stands in for an API request: in one writer transaction it
enforces the quota (``compute.quotas.Quotas.enforce``) and inserts the new
row.  On MariaDB and PostgreSQL the transactions run side by side, so only
the owner's ``QuotaLock`` row, locked before counting, keeps them from all
counting the same usage and all passing; the first ones also race to
create that lock row.  On SQLite writers queue anyway.
"""
import json
import threading

import pytest
import sqlalchemy as sa

from common.db import migration
from common.db.session import Database
from compute import conf as compute_conf
from compute import quotas
from compute.db import models as m
from tests import servers
from tests.unit import make_conf

THREADS = 8
LIMIT = 3
PROJECT = 'project-race'


@pytest.fixture(params=servers.BACKENDS)
def db(request, tmp_path):
    with servers.database(request.param, str(tmp_path)) as url:
        database = Database(url, pool_size=THREADS * 2)
        try:
            migration.upgrade(database, 'compute.db.migrations')
            yield database
        finally:
            database.dispose()


@pytest.fixture
def engine(tmp_path):
    return quotas.Quotas(make_conf(tmp_path / 'conf', register=compute_conf.register_opts))


def race(create):
    """Run ``create(index)`` from ``THREADS`` threads at once; count the outcomes."""
    barrier = threading.Barrier(THREADS)
    outcomes = [None] * THREADS

    def run(index):
        barrier.wait(30)
        try:
            create(index)
            outcomes[index] = 'created'
        except quotas.QuotaExceeded:
            outcomes[index] = 'refused'
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(outcomes)


def test_instances_quota_holds_under_concurrent_creates(db, engine):
    with db.writer() as session:
        engine.set_limits(session, PROJECT, {'instances': LIMIT})

    def create(index):
        with db.writer() as session:
            engine.enforce(session, PROJECT, {'instances': 1, 'cores': 1, 'ram': 512})
            session.add(m.Instance(display_name=f'vm-{index}', project_id=PROJECT, user_id='u',
                                   flavor=json.dumps({}), vcpus=1, memory_mb=512, root_gb=1,
                                   vm_state='building'))

    outcomes = race(create)
    assert outcomes == ['created'] * LIMIT + ['refused'] * (THREADS - LIMIT)
    with db.reader() as session:
        count = session.execute(sa.select(sa.func.count()).select_from(m.Instance).where(
            m.Instance.project_id == PROJECT)).scalar_one()
    assert count == LIMIT


def test_key_pairs_quota_holds_when_the_lock_row_is_new(db, engine):
    """No lock row exists yet: the racers create it together, and still queue on it."""
    with db.writer() as session:
        engine.set_limits(session, PROJECT, {'key_pairs': LIMIT})

    def create(index):
        with db.writer() as session:
            engine.enforce(session, PROJECT, {'key_pairs': 1}, user_id='user-race')
            session.add(m.KeyPair(name=f'key-{index}', user_id='user-race', fingerprint='f',
                                  public_key='p'))

    outcomes = race(create)
    assert outcomes == ['created'] * LIMIT + ['refused'] * (THREADS - LIMIT)
    with db.reader() as session:
        owners = session.execute(sa.select(m.QuotaLock.owner_id)).scalars().all()
        keys = session.execute(sa.select(sa.func.count()).select_from(m.KeyPair)).scalar_one()
    assert keys == LIMIT
    assert sorted(owners) == [PROJECT, 'user-race']
