"""Build orchestration: claim → ports → spawn → ACTIVE, rescheduling, ERROR, no leaks."""
import datetime
import json

from compute import states
from compute.conductor import build
from compute.db import api as db_api
from compute.db import models as m
from compute.network import NetworkNotFound, NetworkServiceError
from tests.unit.compute.conductor.harness import BIG, wait_until

NET = '11111111-2222-4333-8444-555555555555'


def test_build_goes_active_with_host_ports_event_and_notification(cloud):
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.task_state is None
    assert row.power_state == states.RUNNING
    assert row.host in cloud.host_names and row.node == row.host
    assert row.availability_zone == 'nova'  # it asked for none: its host's, as in Nova
    assert row.launched_at is not None
    info = json.loads(row.network_info)
    assert [(i['network_id'], i['ips'][0]['addr']) for i in info] == [(NET, '10.0.0.5')]
    assert list(cloud.network.ports.values()) == [uuid]
    assert cloud.allocations(uuid) == [(uuid, row.host)]
    assert cloud.used(row.host) == (1, 512, 1)
    assert cloud.driver(row.host).get_info(uuid) == states.RUNNING
    assert cloud.events(ctx, uuid) == [(build.EVENT, 'Success')]
    # Sent just after the commit the test waited for.
    wait_until(lambda: 'compute.instance.create.end' in cloud.notifier.events(uuid))


def test_networks_none_makes_no_port(cloud):
    uuid = cloud.boot(networks='none')
    assert cloud.network.ports == {}
    assert json.loads(cloud.server(uuid).network_info) == []


def test_failing_host_is_rescheduled_to_another(make_cloud):
    cloud = make_cloud(hosts=2, fake_driver__fail_spawn_hosts=['node'])
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.host == 'node-2'
    # Whichever host was tried first, only node-2 holds anything now.
    assert cloud.allocations(uuid) == [(uuid, 'node-2')]
    assert cloud.used('node') == (0, 0, 0)
    assert list(cloud.network.ports.values()) == [uuid]
    spec = json.loads(row.request_spec)
    assert spec['ignore_hosts'] in ([], ['node'])
    assert cloud.events(ctx, uuid)[-1] == (build.EVENT, 'Success')


def test_max_attempts_exhausted_goes_to_error_with_fault_and_no_leak(make_cloud):
    cloud = make_cloud(hosts=3, fake_driver__fail_spawn_hosts=['node', 'node-2', 'node-3'],
                       scheduler__max_attempts=2)
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ERROR)
    assert row.task_state is None
    fault = cloud.fault(uuid)
    assert fault.code == 500
    assert fault.message.startswith('Exceeded maximum number of retries.')
    assert 'Simulated spawn failure' in fault.details
    assert len(json.loads(row.request_spec)['ignore_hosts']) == 2
    assert cloud.allocations() == []
    assert all(cloud.used(h) == (0, 0, 0) for h in cloud.host_names)
    assert cloud.network.ports == {}
    assert cloud.events(ctx, uuid) == [(build.EVENT, 'Error'), (build.EVENT, 'Error')]
    # Sent just after the commit the test waited for.
    wait_until(lambda: 'compute.instance.create.error' in cloud.notifier.events(uuid))


def test_only_host_failing_gives_no_valid_host_fault(make_cloud):
    cloud = make_cloud(hosts=1, fake_driver__fail_spawn_hosts=['node'])
    uuid, ctx = cloud.create_server()
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert cloud.fault(uuid).message == ('No valid host was found. There are not enough '
                                         'hosts available.')
    assert cloud.allocations() == []


def test_no_host_big_enough_errors_without_claim(cloud):
    uuid, ctx = cloud.create_server(flavor=dict(BIG, vcpus=64))
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert cloud.fault(uuid).message.startswith('No valid host was found.')
    assert cloud.events(ctx, uuid) == [(build.SCHEDULE_EVENT, 'Error')]
    assert cloud.allocations() == []


def test_network_service_down_is_retried_then_errors_with_its_reason(cloud):
    cloud.network.fail = NetworkServiceError(reason='network down')
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ERROR)
    assert len(json.loads(row.request_spec)['ignore_hosts']) == 2
    fault = cloud.fault(uuid)
    assert fault.message.startswith('No valid host was found.')
    assert 'network down' in fault.details
    assert cloud.allocations() == []


def test_refused_ports_are_not_retried_elsewhere(cloud):
    cloud.network.fail = NetworkNotFound(network_id=NET)
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    row = cloud.wait_for(uuid, vm_state=states.ERROR)
    assert cloud.fault(uuid).message == ('Failed to allocate the network(s): '
                                         f'Network {NET} could not be found.')
    assert len(json.loads(row.request_spec)['ignore_hosts']) == 1
    assert cloud.allocations() == []


def test_missing_image_errors_and_gives_back_claim_and_ports(cloud):
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}], image='gone')
    cloud.images.missing.add('gone')
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, vm_state=states.ERROR)
    assert cloud.fault(uuid).message == 'Image gone could not be found.'
    assert cloud.allocations() == []
    assert cloud.network.ports == {}


def test_delete_during_spawn_wins_and_leaks_nothing(make_cloud):
    cloud = make_cloud(hosts=1, fake_driver__spawn_seconds=0.5)
    uuid, ctx = cloud.create_server(networks=[{'uuid': NET}])
    cloud.api.build_instances(ctx, [uuid])
    cloud.wait_for(uuid, task_state=states.SPAWNING)
    host = cloud.driver('node')
    destroyed = []
    real_destroy = host.destroy
    host.destroy = lambda instance: (destroyed.append(instance['uuid']),
                                     real_destroy(instance))
    cloud.start_action(uuid, 'delete', states.DELETING)
    row = cloud.wait_for(uuid, vm_state=states.DELETED)
    assert row.deleted_at is not None
    # The delete's destroy found nothing; the guest that came up afterwards
    # is removed when its late report arrives.
    wait_until(lambda: destroyed == [uuid, uuid])
    assert host.list_instances() == {}
    assert cloud.allocations() == []
    assert cloud.used('node') == (0, 0, 0)
    assert cloud.network.ports == {}


def test_delete_before_scheduling_leaves_no_claim(cloud):
    uuid, ctx = cloud.create_server()
    with cloud.db.writer() as session:
        db_api.transition(session, uuid, task_states=db_api.ANY, task_state=states.DELETING)
    build.build_instances(cloud.deps, ctx, [uuid])
    assert cloud.allocations() == []
    assert cloud.server(uuid).host is None


def test_spawn_timeout_reschedules_and_late_guest_is_removed(make_cloud):
    # Long enough that the first spawn is still running when the timeout is
    # checked below, even on a loaded machine.
    cloud = make_cloud(hosts=2, fake_driver__spawn_seconds=5.0)
    uuid, ctx = cloud.create_server()
    cloud.api.build_instances(ctx, [uuid])
    first = cloud.wait_for(uuid, task_state=states.SPAWNING).host
    cloud.conf.set_override('build_timeout', 1, group='conductor')
    cloud.conf.set_override('spawn_seconds', 0.0, group='fake_driver')
    with cloud.db.writer() as session:
        session.get(m.Instance, cloud.server(uuid).id).updated_at -= \
            datetime.timedelta(seconds=5)
    late = cloud.driver(first)
    destroyed = []
    real_destroy = late.destroy
    late.destroy = lambda instance: (destroyed.append(instance['uuid']),
                                     real_destroy(instance))
    build.fail_stuck_builds(cloud.deps)
    row = cloud.wait_for(uuid, vm_state=states.ACTIVE)
    assert row.host != first
    assert cloud.allocations(uuid) == [(uuid, row.host)]
    # The first host's spawn ends after the timeout; its guest is removed then.
    wait_until(lambda: destroyed == [uuid])
    assert late.list_instances() == {}


def test_many_servers_spread_without_oversubscription(cloud):
    uuids = []
    for _ in range(8):
        uuid, ctx = cloud.create_server()
        uuids.append((uuid, ctx))
    for uuid, ctx in uuids:
        cloud.api.build_instances(ctx, [uuid])
    for uuid, _ctx in uuids:
        cloud.wait_for(uuid, vm_state=states.ACTIVE)
    # Two hosts of 4 vCPUs each, ratio 1.0: exactly full.
    assert sorted(cloud.used(h)[0] for h in cloud.host_names) == [4, 4]
    extra, ctx = cloud.create_server()
    cloud.api.build_instances(ctx, [extra])
    cloud.wait_for(extra, vm_state=states.ERROR)
