"""Usage accounting on exact figures: what operators bill from must be right."""
import datetime

import pytest

from compute import states
from compute import usage
from tests.unit.compute import host_factories as f

H = datetime.timedelta(hours=1)
T0 = f.T0
DAY = usage.Period(start=T0, stop=T0 + 24 * H)


@pytest.mark.parametrize('launched, ended, hours', [
    (T0 - 5 * H, None, 24.0),                    # ran before and through the period
    (T0 + 2 * H, T0 + 5 * H + 0.5 * H, 3.5),     # started and ended inside it
    (T0 - 5 * H, T0 + 1.25 * H, 1.25),           # ended inside it
    (T0 + 23 * H, T0 + 30 * H, 1.0),             # ended after it
    (T0 - 5 * H, T0 - 1 * H, 0),                 # ended before it
    (T0 + 25 * H, None, 0),                      # started after it
    (None, None, 0),                             # never launched: never ran
])
def test_hours_are_the_overlap_of_the_run_with_the_period(launched, ended, hours):
    assert usage.hours_in_period(launched, ended, DAY) == pytest.approx(hours, abs=1e-12)


def _server(env, **kw):
    with env.db.writer() as session:
        return f.add_server(session, **kw).uuid


def test_totals_are_flavor_amounts_times_hours_summed_per_project(env):
    big = _server(env, name='big', vcpus=2, memory_mb=4096, root_gb=20, ephemeral_gb=2,
                  flavor_name='m1.small', launched_at=T0 + 2 * H, terminated_at=T0 + 12 * H,
                  vm_state=states.DELETED, deleted_at=T0 + 12 * H)
    small = _server(env, name='small', launched_at=T0 + 21.5 * H)
    _server(env, name='other', project_id='project-q', vcpus=4, launched_at=T0)
    now = T0 + 30 * H
    with env.db.reader() as session:
        instances = usage.servers_in_period(session, DAY)
        summaries, servers = usage.tenant_usages(instances, DAY, now, detailed=True)
    p, q = summaries
    assert p['tenant_id'] == 'project-p' and q['tenant_id'] == 'project-q'
    assert p['total_hours'] == pytest.approx(12.5)
    assert p['total_vcpus_usage'] == pytest.approx(2 * 10 + 1 * 2.5)
    assert p['total_memory_mb_usage'] == pytest.approx(4096 * 10 + 512 * 2.5)
    assert p['total_local_gb_usage'] == pytest.approx((20 + 2) * 10 + 1 * 2.5)
    assert (p['start'], p['stop']) == (DAY.start, DAY.stop)
    assert q['total_vcpus_usage'] == pytest.approx(4 * 24)
    by_id = {u['instance_id']: u for u in p['server_usages']}
    assert by_id[big] == {
        'hours': pytest.approx(10.0), 'flavor': 'm1.small', 'instance_id': big,
        'name': 'big', 'tenant_id': 'project-p', 'memory_mb': 4096, 'local_gb': 22,
        'vcpus': 2, 'started_at': T0 + 2 * H, 'ended_at': T0 + 12 * H,
        'state': 'terminated', 'uptime': 10 * 3600}
    assert by_id[small]['state'] == 'active'
    assert by_id[small]['ended_at'] is None
    assert by_id[small]['uptime'] == int(8.5 * 3600)   # launched until now
    assert len(servers) == 3


def test_undetailed_summaries_have_no_server_usages(env):
    _server(env)
    with env.db.reader() as session:
        summaries, _ = usage.tenant_usages(usage.servers_in_period(session, DAY), DAY,
                                           T0 + 24 * H, detailed=False)
    assert 'server_usages' not in summaries[0]


def test_only_servers_that_ran_in_the_period_are_taken(env):
    ran = _server(env, launched_at=T0 - 3 * H, terminated_at=T0 + H, deleted_at=T0 + H,
                  vm_state=states.DELETED)
    _server(env, launched_at=None, vm_state=states.ERROR)            # never launched
    _server(env, launched_at=T0 - 9 * H, terminated_at=T0 - H)        # gone before
    _server(env, launched_at=T0 + 25 * H)                             # came after
    with env.db.reader() as session:
        assert [i.uuid for i in usage.servers_in_period(session, DAY)] == [ran]


def test_a_deleted_server_without_terminated_at_ends_at_its_deletion(env):
    uuid = _server(env, launched_at=T0 + H, deleted_at=T0 + 3 * H, vm_state=states.DELETED)
    with env.db.reader() as session:
        _, (server,) = usage.tenant_usages(usage.servers_in_period(session, DAY), DAY,
                                           T0 + 24 * H, detailed=False)
    assert server['instance_id'] == uuid
    assert server['hours'] == pytest.approx(2.0)
    assert server['state'] == 'terminated'


def test_pages_follow_project_then_server_id_order(env):
    uuids = [f'00000000-0000-4000-8000-00000000000{i}' for i in range(4)]
    _server(env, project_id='project-q', uuid=uuids[0])
    _server(env, project_id='project-p', uuid=uuids[3])
    _server(env, project_id='project-p', uuid=uuids[1])
    _server(env, project_id='project-q', uuid=uuids[2])
    with env.db.reader() as session:
        first = usage.servers_in_period(session, DAY, limit=2)
        rest = usage.servers_in_period(session, DAY, limit=2, marker=first[-1].uuid)
        mine = usage.servers_in_period(session, DAY, project_id='project-q')
    assert [i.uuid for i in first] == [uuids[1], uuids[3]]
    assert [i.uuid for i in rest] == [uuids[0], uuids[2]]
    assert [i.uuid for i in mine] == [uuids[0], uuids[2]]


def test_an_unknown_marker_is_refused(env):
    with env.db.reader() as session, pytest.raises(usage.MarkerNotFound):
        usage.servers_in_period(session, DAY, marker='nope')
