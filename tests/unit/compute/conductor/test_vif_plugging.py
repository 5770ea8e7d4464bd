"""A build waits for its DOWN ports to be wired (network-vif-plugged) before going ACTIVE.

The network stand-in makes ports ``DOWN``, as the network service does for
ports bound to a host until its agent wires them; the tests play the
network service's part by casting ``external_instance_event`` as the API
does, before or after the fake agent reports the guest spawned.
"""
import json
import time

import pytest
import sqlalchemy as sa

from compute import states
from compute.conductor import build
from compute.conductor import vif_plugging
from compute.db import models as m
from tests.unit.compute.conductor.harness import wait_until

NET = '11111111-2222-4333-8444-555555555555'
NET2 = '11111111-2222-4333-8444-666666666666'


@pytest.fixture
def down_cloud(make_cloud):
    """A cloud whose network service makes DOWN ports (builds wait for them)."""
    def make(**overrides):
        cloud = make_cloud(**overrides)
        cloud.network.port_status = 'DOWN'
        return cloud
    return make


def _plugged(uuid, port_id, status='completed'):
    return {'server_uuid': uuid, 'name': vif_plugging.VIF_PLUGGED, 'status': status,
            'tag': port_id}


def _ports(cloud, uuid):
    """``{port_id: vif_state}`` of the server."""
    with cloud.db.reader() as session:
        return dict(session.execute(sa.select(m.InstancePort.port_id, m.InstancePort.vif_state)
                                    .where(m.InstancePort.instance_uuid == uuid)).all())


def _start(cloud, networks=({'uuid': NET},)):
    uuid, ctx = cloud.create_server(networks=list(networks))
    cloud.api.build_instances(ctx, [uuid])
    return uuid, ctx


def _wait_spawned(cloud, uuid):
    """Until the agent has reported the guest spawned while ports still wait."""
    return wait_until(lambda: (lambda row: row if row.spawned_at is not None else None)(
        cloud.server(uuid)))


def test_event_after_spawned_makes_the_server_active(down_cloud):
    cloud = down_cloud()
    uuid, ctx = _start(cloud)
    row = _wait_spawned(cloud, uuid)
    assert (row.vm_state, row.task_state) == (states.BUILDING, states.SPAWNING)
    assert row.launched_at is None
    (port_id, vif_state), = _ports(cloud, uuid).items()
    assert vif_state == states.VIF_WAITING
    assert cloud.driver(row.host).get_info(uuid) == states.RUNNING

    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id)])
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert (row.task_state, row.power_state, row.spawned_at) == (None, states.RUNNING, None)
    assert row.launched_at is not None
    assert _ports(cloud, uuid) == {port_id: states.VIF_PLUGGED}
    assert cloud.events(ctx, uuid) == [(build.EVENT, 'Success')]
    wait_until(lambda: 'compute.instance.create.end' in cloud.notifier.events(uuid))


def test_event_before_spawned_lets_the_spawn_report_finish_the_build(down_cloud):
    cloud = down_cloud(fake_driver__spawn_seconds=3)
    uuid, ctx = _start(cloud)
    wait_until(lambda: _ports(cloud, uuid))
    port_id, = _ports(cloud, uuid)
    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id)])
    wait_until(lambda: _ports(cloud, uuid) == {port_id: states.VIF_PLUGGED})
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state, row.spawned_at) == (states.BUILDING,
                                                              states.SPAWNING, None)
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.task_state is None and row.launched_at is not None


def test_every_waiting_port_must_be_plugged(down_cloud):
    cloud = down_cloud()
    uuid, ctx = _start(cloud, networks=[{'uuid': NET}, {'uuid': NET2}])
    _wait_spawned(cloud, uuid)
    first, second = sorted(_ports(cloud, uuid))
    cloud.api.external_instance_event(ctx, [_plugged(uuid, first)])
    wait_until(lambda: _ports(cloud, uuid)[first] == states.VIF_PLUGGED)
    assert cloud.server(uuid).vm_state == states.BUILDING
    # In-progress and unrelated events change nothing; a port of no server is ignored.
    cloud.api.external_instance_event(ctx, [
        _plugged(uuid, second, status='in-progress'),
        {'server_uuid': uuid, 'name': 'network-changed', 'status': 'completed',
         'tag': second},
        _plugged(uuid, 'not-a-port-of-it')])
    time.sleep(0.3)
    assert cloud.server(uuid).vm_state == states.BUILDING
    assert _ports(cloud, uuid)[second] == states.VIF_WAITING
    cloud.api.external_instance_event(ctx, [_plugged(uuid, second)])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)


def test_ports_active_when_made_are_not_waited_for(cloud):
    uuid = cloud.boot(networks=[{'uuid': NET}])
    assert set(_ports(cloud, uuid).values()) == {states.VIF_PLUGGED}


def test_a_zero_timeout_does_not_wait(down_cloud):
    cloud = down_cloud(compute__vif_plugging_timeout=0)
    uuid = cloud.boot(networks=[{'uuid': NET}])
    assert set(_ports(cloud, uuid).values()) == {states.VIF_WAITING}


def _assert_failed_and_released(cloud, uuid, ctx, host, details):
    row = cloud.wait_for(uuid, vm_state=states.ERROR)
    assert (row.task_state, row.host, row.spawned_at) == (None, None, None)
    fault = cloud.fault(uuid)
    assert (fault.code, fault.message) == (500, 'Virtual Interface creation failed')
    assert details in fault.details
    # Not rescheduled: one attempt, on the host whose network could not wire the port.
    assert json.loads(row.request_spec)['ignore_hosts'] == [host]
    assert cloud.events(ctx, uuid) == [(build.EVENT, 'Error')]
    assert cloud.allocations() == [] and cloud.network.ports == {}
    assert _ports(cloud, uuid) == {}
    wait_until(lambda: cloud.driver(host).get_info(uuid) == states.NOSTATE)
    wait_until(lambda: 'compute.instance.create.error' in cloud.notifier.events(uuid))


def test_fatal_timeout_fails_the_build_with_a_fault(down_cloud):
    cloud = down_cloud(compute__vif_plugging_timeout=1)
    uuid, ctx = _start(cloud)
    host = _wait_spawned(cloud, uuid).host
    port_id, = _ports(cloud, uuid)
    _assert_failed_and_released(cloud, uuid, ctx, host,
                                f'Port(s) {port_id} of the server were not wired on host '
                                f'{host} within 1 seconds')


def test_non_fatal_timeout_goes_active(down_cloud):
    cloud = down_cloud(compute__vif_plugging_timeout=1, compute__vif_plugging_is_fatal=False)
    uuid, ctx = _start(cloud)
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.task_state is None and row.spawned_at is None
    assert cloud.driver(row.host).get_info(uuid) == states.RUNNING
    assert cloud.events(ctx, uuid) == [(build.EVENT, 'Success')]


def test_failed_event_fails_the_build_at_once(down_cloud):
    cloud = down_cloud()
    uuid, ctx = _start(cloud)
    host = _wait_spawned(cloud, uuid).host
    port_id, = _ports(cloud, uuid)
    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id, status='failed')])
    _assert_failed_and_released(cloud, uuid, ctx, host,
                                f'could not wire port {port_id} of the server on host {host}')


def test_failed_event_before_spawned_removes_the_late_guest(down_cloud):
    cloud = down_cloud(fake_driver__spawn_seconds=3)
    uuid, ctx = _start(cloud)
    wait_until(lambda: _ports(cloud, uuid))
    port_id, = _ports(cloud, uuid)
    host = cloud.server(uuid).host
    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id, status='failed')])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    time.sleep(3)  # the spawn ends; its report finds the server gone from the host
    wait_until(lambda: cloud.driver(host).get_info(uuid) == states.NOSTATE)
    assert cloud.server(uuid).vm_state == states.ERROR


def test_failed_event_not_fatal_lets_the_build_finish(down_cloud):
    cloud = down_cloud(compute__vif_plugging_is_fatal=False)
    uuid, ctx = _start(cloud)
    _wait_spawned(cloud, uuid)
    port_id, = _ports(cloud, uuid)
    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id, status='failed')])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert _ports(cloud, uuid) == {port_id: states.VIF_FAILED}


def test_a_server_waiting_for_ports_is_not_a_stuck_spawn(down_cloud):
    cloud = down_cloud(conductor__build_timeout=1)
    uuid, ctx = _start(cloud)
    _wait_spawned(cloud, uuid)
    time.sleep(2.5)  # two rounds of fail_stuck_builds
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state) == (states.BUILDING, states.SPAWNING)
    port_id, = _ports(cloud, uuid)
    cloud.api.external_instance_event(ctx, [_plugged(uuid, port_id)])
    cloud.wait_for(uuid, vm_state=states.ACTIVE)


def test_an_event_of_an_active_server_only_records_the_port(down_cloud):
    cloud = down_cloud(compute__vif_plugging_timeout=0)
    uuid = cloud.boot(networks=[{'uuid': NET}])
    port_id, = _ports(cloud, uuid)
    vif_plugging.external_instance_event(cloud.deps, [_plugged(uuid, port_id)])
    assert _ports(cloud, uuid) == {port_id: states.VIF_PLUGGED}
    assert cloud.server(uuid).vm_state == states.ACTIVE
