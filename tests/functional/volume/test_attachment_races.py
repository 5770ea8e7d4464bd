"""Racing attachment requests on each real database: one reserve wins, and a volume's
status always matches the attachments left.

The volume API is the unit tests' (no identity service, a recording
agent), on a database of each backend; the requests run in threads, each
in its own transaction, as concurrent API workers would.
"""
import threading

import pytest

from common.db import migration
from common.db.session import Database
from tests import servers
from tests.unit.volume import attach_helpers as h
from tests.unit.volume.fixtures import MIGRATIONS, build_env
from volume import states


@pytest.fixture(params=servers.BACKENDS)
def env(request, tmp_path):
    with servers.database(request.param, str(tmp_path)) as url:
        made = build_env(tmp_path / 'api')
        made.db.dispose()
        made.app.db = made.db = Database(url)
        migration.upgrade(made.db, MIGRATIONS)
        h.install_agent(made)
        try:
            yield made
        finally:
            made.db.dispose()


def _together(*calls):
    """Run ``calls`` at the same moment, each in its own thread; their results."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_racing_reserves_one_wins(env):
    volume = h.made_volume(env)
    servers_ = [f'00000000-0000-4000-8000-{i:012d}' for i in range(8)]
    codes = _together(*[lambda s=s: h.create(env.api, volume['id'], s).status_code
                        for s in servers_])
    assert sorted(codes) == [200] + [400] * 7
    assert h.status_of(env, volume['id']) == (states.RESERVED, states.DETACHED)


def test_a_detach_racing_a_reserve_leaves_the_status_of_what_is_left(env):
    env.api.volume_type('shared', {'multiattach': '<is> True'})
    for _ in range(5):
        volume = h.made_volume(env, volume_type='shared')
        attached = h.attach(env.api, volume['id'], h.SERVER)
        deleted, created = _together(
            lambda: env.api.delete(f'attachments/{attached}', version=h.ATTACH).status_code,
            lambda: h.create(env.api, volume['id'], h.OTHER_SERVER).status_code)
        assert (deleted, created) == (200, 200)
        live = env.api.get(f"attachments?volume_id={volume['id']}",
                           version=h.ATTACH).get_json()['attachments']
        assert [a['status'] for a in live] == ['reserved']
        assert h.status_of(env, volume['id']) == (states.RESERVED, states.DETACHED)


def test_of_racing_deletes_of_an_attachment_one_wins(env):
    volume = h.made_volume(env)
    attached = h.attach(env.api, volume['id'])
    codes = _together(
        *[lambda: env.api.delete(f'attachments/{attached}', version=h.ATTACH).status_code] * 2)
    assert sorted(codes) == [200, 404]
    assert h.status_of(env, volume['id']) == h.AVAILABLE
