"""Heartbeats, compute nodes, power-state sync and reconciliation at start."""
import datetime

import pytest
import sqlalchemy as sa

from compute import service_names
from compute import states
from compute.agent.drivers import driver as virt
from compute.conductor import agent_reports
from compute.conductor import power_sync
from compute.conductor import reconcile
from compute.db import models as m
from tests.unit.compute.conductor.harness import wait_until


def _services(cloud):
    with cloud.db.reader() as session:
        return {(s.host, s.binary): s for s in session.execute(sa.select(m.Service)).scalars()}


def _node(cloud, host):
    with cloud.db.reader() as session:
        return session.execute(sa.select(m.ComputeNode).where(
            m.ComputeNode.host == host)).scalar_one()


def test_agent_heartbeats_make_service_records_and_nodes(cloud):
    services = _services(cloud)
    for host in ('node', 'node-2'):
        record = services[(host, service_names.AGENT_BINARY)]
        assert record.topic == 'compute.agent' and record.last_seen_up is not None
        node = _node(cloud, host)
        assert (node.vcpus, node.memory_mb, node.local_gb) == (4, 4096, 40)
        assert node.hypervisor_type == 'fake' and node.hypervisor_hostname == host
        assert node.cpu_allocation_ratio == 1.0 and node.disk_allocation_ratio == 1.0
    assert ('node', service_names.CONDUCTOR_BINARY) in services
    first = services[('node', service_names.AGENT_BINARY)].report_count
    wait_until(lambda: _services(cloud)[('node', service_names.AGENT_BINARY)].report_count
               > first, timeout=5)


def test_report_with_new_totals_bumps_generation_and_keeps_usage(cloud):
    uuid = cloud.boot()
    host = cloud.server(uuid).host
    before = _node(cloud, host)
    report = cloud.driver(host).host_resources().as_report()
    agent_reports.report_state(cloud.deps, host, report)
    assert _node(cloud, host).generation == before.generation  # nothing changed
    agent_reports.report_state(cloud.deps, host, dict(report, vcpus=8))
    after = _node(cloud, host)
    assert after.vcpus == 8 and after.generation == before.generation + 1
    assert (after.vcpus_used, after.memory_mb_used) == (1, 512)


def test_server_shut_down_behind_our_back_becomes_stopped(cloud):
    uuid = cloud.boot()
    host = cloud.server(uuid).host
    cloud.driver(host).power_off({'uuid': uuid})
    next(h for h in cloud.agents.hosts if h.host == host).sync_power_states()
    row = cloud.wait_for(uuid, vm_state=states.STOPPED)
    assert row.power_state == states.SHUTDOWN and row.task_state is None
    # Sent just after the commit the test waited for.
    wait_until(lambda: 'compute.instance.power_off.end' in cloud.notifier.events(uuid))


def test_stopped_server_found_running_is_powered_off(cloud):
    uuid = cloud.boot()
    cloud.start_action(uuid, 'stop', states.POWERING_OFF)
    host = cloud.wait_for(uuid, vm_state=states.STOPPED, task_state=None).host
    cloud.driver(host).power_on({'uuid': uuid})
    next(h for h in cloud.agents.hosts if h.host == host).sync_power_states()
    wait_until(lambda: cloud.driver(host).get_info(uuid) == states.SHUTDOWN)
    assert cloud.server(uuid).vm_state == states.STOPPED


def test_periodic_power_sync_runs(make_cloud):
    cloud = make_cloud(hosts=1, conductor__power_sync_interval=1)
    uuid = cloud.boot()
    cloud.driver('node').pause({'uuid': uuid})
    cloud.wait_for(uuid, timeout=5, power_state=states.PAUSED_POWER)
    assert cloud.server(uuid).vm_state == states.ACTIVE  # Nova ignores a paused ACTIVE


def test_agent_start_removes_orphans_and_retries_lost_builds(make_cloud):
    cloud = make_cloud(hosts=2, start_agents=False)
    agent = cloud.agents.hosts[0]
    orphan = {'uuid': 'deadbeef-0000-4000-8000-000000000000'}
    agent.driver.spawn(virt.SpawnRequest(instance=orphan))
    # A build the host was spawning when it went down.
    uuid, ctx = cloud.create_server()
    with cloud.db.writer() as session:
        row = session.execute(sa.select(m.Instance).where(m.Instance.uuid == uuid)).scalar_one()
        row.host, row.task_state = agent.host, states.SPAWNING
    for host in cloud.agents.hosts:  # both hosts known before the first one reconciles
        agent_reports.report_state(cloud.deps, host.host,
                                   host.driver.host_resources().as_report())
    cloud.agents.start()
    wait_until(lambda: agent.driver.list_instances().get(orphan['uuid']) is None)
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.host == 'node-2'


def test_conductor_start_recasts_builds_lost_before_scheduling(cloud):
    uuid, ctx = cloud.create_server()
    fresh, _ctx = cloud.create_server()
    with cloud.db.writer() as session:
        row = session.execute(sa.select(m.Instance).where(m.Instance.uuid == uuid)).scalar_one()
        row.updated_at -= datetime.timedelta(seconds=cloud.conf.service_down_time + 5)
    assert [u for _c, u in reconcile.lost_builds(cloud.deps)] == [uuid]
    reconcile.resume_lost_builds(cloud.deps, cloud.api)
    cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert cloud.events(ctx, uuid)[-1] == ('compute__do_build_and_run_instance', 'Success')
    assert cloud.server(fresh).task_state == states.SCHEDULING


def test_agent_start_puts_servers_whose_guest_is_gone_in_error(cloud):
    uuid = cloud.boot()
    host = next(h for h in cloud.agents.hosts if h.host == cloud.server(uuid).host)
    host.driver.destroy({'uuid': uuid})  # the hypervisor lost it while the agent was down
    host.sync_power_states(startup=True)
    row = cloud.wait_for(uuid, vm_state=states.ERROR)
    assert row.power_state == states.NOSTATE and row.task_state is None
    assert cloud.fault(uuid).message == f'The guest of this server is gone from host {host.host}.'


@pytest.mark.parametrize('action,destroyed', [('reap', True), ('log', False),
                                               ('noop', False)])
def test_unknown_guests_follow_running_deleted_instance_action(make_cloud, monkeypatch,
                                                               action, destroyed):
    cloud = make_cloud(hosts=1, conductor__running_deleted_instance_action=action)
    keep = cloud.boot()
    orders = []
    monkeypatch.setattr(cloud.deps.agents, 'destroy',
                        lambda ctx, host, instance, wait=True: orders.append(instance['uuid']))
    orphan = 'deadbeef-0000-4000-8000-000000000000'
    power_sync.sync_power_states(cloud.deps, 'node', {keep: states.RUNNING,
                                                      orphan: states.RUNNING}, startup=True)
    assert orders == ([orphan] if destroyed else [])
    assert cloud.server(keep).vm_state == states.ACTIVE


def test_agent_start_starts_again_guests_its_host_shut_off(make_cloud):
    cloud = make_cloud(hosts=1, conductor__resume_guests_state_on_host_boot=True)
    uuid = cloud.boot()
    host = cloud.agents.hosts[0]
    host.driver.power_off({'uuid': uuid})  # the host went down under the guest
    host.sync_power_states(startup=True)
    wait_until(lambda: host.driver.get_info(uuid) == states.RUNNING)
    row = cloud.wait_for(uuid, power_state=states.RUNNING)
    assert (row.vm_state, row.task_state) == (states.ACTIVE, None)
    host.driver.power_off({'uuid': uuid})  # later, while the agent runs: the user's doing
    host.sync_power_states()
    cloud.wait_for(uuid, vm_state=states.STOPPED)


def test_a_guest_that_will_not_start_again_leaves_its_server_stopped(make_cloud, monkeypatch):
    cloud = make_cloud(hosts=1, conductor__resume_guests_state_on_host_boot=True)
    uuid = cloud.boot()
    host = cloud.agents.hosts[0]
    host.driver.power_off({'uuid': uuid})

    def broken_start(ctx, host, instance, action, params):
        raise RuntimeError(f'cannot {action}')

    monkeypatch.setattr(cloud.deps.agents, 'run_action', broken_start)
    host.sync_power_states(startup=True)
    row = cloud.wait_for(uuid, vm_state=states.STOPPED)
    assert row.power_state == states.SHUTDOWN
