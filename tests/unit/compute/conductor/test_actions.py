"""Server actions through the conductor and a fake agent: each action's state walk."""
import json

import pytest
import sqlalchemy as sa

from compute import states
from compute.agent.drivers import driver as virt
from compute.agent.drivers.fake import empty_qcow2
from compute.conductor import delete as delete_mod
from compute.conductor import resize as resize_mod
from compute.db import api as db_api
from compute.db import models as m
from tests.unit.compute.conductor.harness import BIG, FLAVOR, wait_until

NET = '11111111-2222-4333-8444-555555555555'


@pytest.mark.parametrize('action,task,vm_state,power_state,event,notification', [
    ('stop', states.POWERING_OFF, states.STOPPED, states.SHUTDOWN, 'compute_stop_instance',
     'power_off'),
    ('pause', states.PAUSING, states.PAUSED, states.PAUSED_POWER, 'compute_pause_instance',
     'pause'),
    ('suspend', states.SUSPENDING, states.SUSPENDED, states.SUSPENDED_POWER,
     'compute_suspend_instance', 'suspend'),
    ('reboot', states.REBOOTING_HARD, states.ACTIVE, states.RUNNING,
     'compute_reboot_instance', 'reboot'),
])
def test_action_from_active(cloud, action, task, vm_state, power_state, event, notification):
    uuid = cloud.boot()
    ctx = cloud.start_action(uuid, action, task, params={'type': 'HARD'})
    row = cloud.wait_for(uuid, task_state=None, vm_state=vm_state)
    assert row.power_state == power_state
    assert cloud.driver(row.host).get_info(uuid) == power_state
    assert cloud.events(ctx, uuid) == [(event, 'Success')]
    # Sent just after the commit the test waited for.
    wait_until(lambda: f'compute.instance.{notification}.end' in cloud.notifier.events(uuid))


@pytest.mark.parametrize('first,first_task,back,back_task', [
    ('stop', states.POWERING_OFF, 'start', states.POWERING_ON),
    ('pause', states.PAUSING, 'unpause', states.UNPAUSING),
    ('suspend', states.SUSPENDING, 'resume', states.RESUMING),
])
def test_action_and_its_reverse_come_back_to_active(cloud, first, first_task, back, back_task):
    uuid = cloud.boot()
    cloud.start_action(uuid, first, first_task)
    cloud.wait_for(uuid, task_state=None, vm_state={'stop': states.STOPPED,
                                                     'pause': states.PAUSED,
                                                     'suspend': states.SUSPENDED}[first])
    cloud.start_action(uuid, back, back_task)
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert row.power_state == states.RUNNING


def test_action_the_agent_fails_keeps_state_and_records_fault(cloud):
    uuid = cloud.boot()
    host = cloud.server(uuid).host
    cloud.driver(host).destroy({'uuid': uuid})  # the guest vanished behind our back
    ctx = cloud.start_action(uuid, 'pause', states.PAUSING)
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE
    assert 'could not be found on this host' in cloud.fault(uuid).message
    assert cloud.events(ctx, uuid) == [('compute_pause_instance', 'Error')]


def test_agent_that_never_answers_puts_server_in_error(cloud):
    uuid = cloud.boot()
    host = cloud.server(uuid).host
    cloud.agents.stop(timeout=5)
    cloud.conf.set_override('agent_timeout', 1, group='conductor')
    cloud.start_action(uuid, 'stop', states.POWERING_OFF)
    row = cloud.wait_for(uuid, timeout=15, task_state=None)
    assert row.vm_state == states.ERROR
    assert cloud.fault(uuid).message == f'Host {host} did not answer within 1 seconds.'


def test_action_ignored_when_server_no_longer_waits_for_it(cloud):
    uuid = cloud.boot()
    cloud.api.run_action(None, uuid, 'stop')  # no task set: another request won
    cloud.start_action(uuid, 'pause', states.PAUSING)
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.PAUSED)
    assert row.power_state == states.PAUSED_POWER


def test_rebuild_keeps_a_stopped_server_stopped(cloud):
    uuid = cloud.boot()
    cloud.start_action(uuid, 'stop', states.POWERING_OFF)
    cloud.wait_for(uuid, task_state=None, vm_state=states.STOPPED)
    new_image = 'c0ffee00-0000-4000-8000-000000000002'
    ctx = cloud.start_action(uuid, 'rebuild', states.REBUILDING, params={'image_ref': new_image})
    row = cloud.wait_for(uuid, task_state=None, image_ref=new_image)
    assert row.vm_state == states.STOPPED
    assert row.power_state == states.SHUTDOWN
    assert cloud.events(ctx, uuid) == [('compute_rebuild_instance', 'Success')]


def test_rebuild_with_missing_image_goes_to_error(cloud):
    uuid = cloud.boot()
    cloud.images.missing.add('gone')
    cloud.start_action(uuid, 'rebuild', states.REBUILDING, params={'image_ref': 'gone'})
    cloud.wait_for(uuid, task_state=None, vm_state=states.ERROR)
    assert cloud.fault(uuid).message == 'Image gone could not be found.'


def test_snapshot_uploads_a_valid_image(cloud):
    uuid = cloud.boot()
    ctx = cloud.start_action(uuid, 'createImage', states.IMAGE_SNAPSHOT)
    cloud.api.run_action(ctx, uuid, 'snapshot', {'image_id': 'img-1'})
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE
    assert cloud.snapshots.uploaded == {'img-1': empty_qcow2()}
    assert cloud.events(ctx, uuid)[-1] == ('compute_snapshot_instance', 'Success')


def test_failed_snapshot_upload_deletes_the_image(cloud):
    uuid = cloud.boot()
    cloud.snapshots.fail = True
    ctx = cloud.start_action(uuid, 'createImage', states.IMAGE_SNAPSHOT)
    cloud.api.run_action(ctx, uuid, 'snapshot', {'image_id': 'img-1'})
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE
    assert cloud.snapshots.deleted == ['img-1']
    assert 'image service down' in cloud.fault(uuid).message


def test_console_output_comes_from_the_agent(cloud):
    uuid = cloud.boot()
    output = cloud.api.get_console_output(None, uuid)
    assert output.startswith('Booting vm on node')
    assert cloud.api.get_console_output(None, uuid, 1) == 'login:\n'


def test_delete_releases_everything(cloud):
    uuid = cloud.boot(networks=[{'uuid': NET}])
    host = cloud.server(uuid).host
    ctx = cloud.start_action(uuid, 'delete', states.DELETING)
    row = cloud.wait_for(uuid, vm_state=states.DELETED)
    assert row.deleted_at is not None and row.terminated_at is not None
    assert row.task_state is None
    assert cloud.driver(host).list_instances() == {}
    assert cloud.allocations() == [] and cloud.used(host) == (0, 0, 0)
    assert cloud.network.ports == {}
    assert cloud.events(ctx, uuid) == [(delete_mod.EVENT, 'Success')]
    # Sent just after the commit the test waited for.
    wait_until(lambda: 'compute.instance.delete.end' in cloud.notifier.events(uuid))


def test_delete_with_host_down_deletes_anyway(cloud):
    uuid = cloud.boot()
    cloud.agents.stop(timeout=5)
    cloud.conf.set_override('agent_timeout', 1, group='conductor')
    cloud.start_action(uuid, 'delete', states.DELETING)
    cloud.wait_for(uuid, timeout=15, vm_state=states.DELETED)
    assert cloud.allocations() == []


def test_delete_when_ports_cannot_be_released_goes_to_error(cloud):
    uuid = cloud.boot(networks=[{'uuid': NET}])
    cloud.network.fail_deallocate = True
    cloud.start_action(uuid, 'delete', states.DELETING)
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.ERROR)
    assert row.deleted_at is None
    assert 'deallocate' in cloud.fault(uuid).message
    cloud.network.fail_deallocate = False
    cloud.start_action(uuid, 'delete', states.DELETING)
    cloud.wait_for(uuid, vm_state=states.DELETED)
    assert cloud.network.ports == {} and cloud.allocations() == []


def _resize(cloud, uuid, flavor=BIG):
    ctx = cloud.start_action(uuid, 'resize', states.RESIZE_PREP, params={'flavor': flavor})
    return ctx, cloud.wait_for(uuid, task_state=None, vm_state=states.RESIZED)


def test_resize_to_another_host_then_confirm(cloud):
    uuid = cloud.boot()
    source = cloud.server(uuid).host
    ctx, row = _resize(cloud, uuid)
    dest = row.host  # as Nova shows a server waiting in VERIFY_RESIZE
    assert dest != source and row.migration_host == source
    assert json.loads(row.flavor)['name'] == 'm1.small'
    assert json.loads(row.old_flavor)['name'] == 'm1.tiny'
    assert (row.vcpus, row.memory_mb) == (2, 2048)
    assert sorted(cloud.allocations(uuid)) == sorted([(uuid, source), (uuid, dest)])
    assert cloud.driver(dest).get_info(uuid) == states.RUNNING
    assert uuid not in cloud.driver(source).list_instances()  # set aside, not running
    assert [e for e, _r in cloud.events(ctx, uuid)] == [
        resize_mod.PREP_EVENT, resize_mod.RESIZE_EVENT, resize_mod.FINISH_EVENT]
    cloud.start_action(uuid, 'confirmResize', states.RESIZE_CONFIRMING)
    cloud.api.run_action(None, uuid, 'confirm_resize')
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert (row.host, row.migration_host, row.old_flavor) == (dest, None, None)
    assert cloud.allocations(uuid) == [(uuid, dest)]
    assert cloud.used(source) == (0, 0, 0)
    assert cloud.driver(source).list_instances() == {}


def test_resize_then_revert_goes_back(cloud):
    uuid = cloud.boot()
    source = cloud.server(uuid).host
    _ctx, row = _resize(cloud, uuid)
    dest = row.host
    cloud.start_action(uuid, 'revertResize', states.RESIZE_REVERTING)
    cloud.api.run_action(None, uuid, 'revert_resize')
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert (row.host, row.migration_host) == (source, None)
    assert json.loads(row.flavor) == FLAVOR and row.vcpus == 1
    assert cloud.allocations(uuid) == [(uuid, source)]
    assert cloud.used(dest) == (0, 0, 0)
    assert cloud.driver(source).get_info(uuid) == states.RUNNING
    assert cloud.driver(dest).list_instances() == {}


def test_resize_on_the_only_host_holds_the_larger_size_until_confirmed(make_cloud):
    cloud = make_cloud(hosts=1)
    uuid = cloud.boot()
    _ctx, row = _resize(cloud, uuid)
    assert row.migration_host == row.host == 'node'
    assert cloud.used('node') == (2, 2048, 20)
    cloud.start_action(uuid, 'revertResize', states.RESIZE_REVERTING)
    cloud.api.run_action(None, uuid, 'revert_resize')
    cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert cloud.used('node') == (1, 512, 1)
    _resize(cloud, uuid)
    cloud.start_action(uuid, 'confirmResize', states.RESIZE_CONFIRMING)
    cloud.api.run_action(None, uuid, 'confirm_resize')
    row = cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert cloud.used('node') == (2, 2048, 20)
    assert cloud.driver('node').get_info(uuid) == states.RUNNING
    lowmem = dict(BIG, id='3', name='m1.lowmem', vcpus=1, ram=512)  # same disk
    _resize(cloud, uuid, flavor=lowmem)  # smaller: the larger size is kept until confirmed
    assert cloud.used('node') == (2, 2048, 20)
    cloud.start_action(uuid, 'confirmResize', states.RESIZE_CONFIRMING)
    cloud.api.run_action(None, uuid, 'confirm_resize')
    cloud.wait_for(uuid, task_state=None, vm_state=states.ACTIVE)
    assert cloud.used('node') == (1, 512, 20)
    assert cloud.allocations(uuid) == [(uuid, 'node')]


def test_resize_to_a_smaller_disk_is_refused_before_the_guest_stops(cloud):
    uuid = cloud.boot(flavor=BIG)
    ctx = cloud.start_action(uuid, 'resize', states.RESIZE_PREP, params={'flavor': FLAVOR})
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE and json.loads(row.flavor)['name'] == BIG['name']
    assert cloud.fault(uuid).message == 'Unable to resize disk down.'
    assert cloud.driver(row.host).get_info(uuid) == states.RUNNING
    assert cloud.events(ctx, uuid) == [(resize_mod.PREP_EVENT, 'Error')]


def test_failed_finish_puts_the_guest_back_and_gives_back_the_claim(cloud, monkeypatch):
    uuid = cloud.boot()
    source = cloud.server(uuid).host

    def refuse(request, disk_info, power_on):
        raise virt.DriverError('disk copy failed')
    for host in cloud.host_names:
        monkeypatch.setattr(cloud.driver(host), 'finish_migration', refuse)
    cloud.start_action(uuid, 'resize', states.RESIZE_PREP, params={'flavor': BIG})
    row = cloud.wait_for(uuid, task_state=None)
    assert (row.vm_state, row.host, row.migration_host) == (states.ACTIVE, source, None)
    assert json.loads(row.flavor) == FLAVOR and row.new_flavor is None
    assert cloud.fault(uuid).message == 'disk copy failed'
    assert cloud.allocations(uuid) == [(uuid, source)]
    assert cloud.driver(source).get_info(uuid) == states.RUNNING


def test_failed_revert_on_one_host_leaves_the_server_in_error(make_cloud, monkeypatch):
    cloud = make_cloud(hosts=1)
    uuid = cloud.boot()
    _resize(cloud, uuid)

    def refuse(request, power_on):
        raise virt.DriverError('could not bring the guest back')
    monkeypatch.setattr(cloud.driver('node'), 'finish_revert_migration', refuse)
    cloud.start_action(uuid, 'revertResize', states.RESIZE_REVERTING)
    cloud.api.run_action(None, uuid, 'revert_resize')
    row = cloud.wait_for(uuid, task_state=None)
    # Not RESIZED: a confirm now could drop the disks set aside.
    assert row.vm_state == states.ERROR
    assert cloud.fault(uuid).message == 'could not bring the guest back'


def test_host_that_cannot_send_disks_away_resizes_in_place(cloud):
    uuid = cloud.boot()
    source = cloud.server(uuid).host
    with cloud.db.writer() as session:
        session.execute(sa.update(m.ComputeNode).where(m.ComputeNode.host == source).values(
            capabilities=json.dumps({'cross_host_resize': False})))
    _ctx, row = _resize(cloud, uuid)
    assert row.host == row.migration_host == source
    assert cloud.allocations(uuid) == [(uuid, source)]
    assert cloud.driver(source).get_info(uuid) == states.RUNNING


def test_resize_with_no_room_anywhere_keeps_the_server(cloud):
    uuid = cloud.boot()
    ctx = cloud.start_action(uuid, 'resize', states.RESIZE_PREP,
                             params={'flavor': dict(BIG, vcpus=64)})
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE and json.loads(row.flavor) == FLAVOR
    assert cloud.fault(uuid).message.startswith('No valid host was found.')
    assert cloud.allocations(uuid) == [(uuid, row.host)]
    assert cloud.used(row.host) == (1, 512, 1)
    assert cloud.events(ctx, uuid) == [(resize_mod.PREP_EVENT, 'Error')]


def test_action_on_a_server_without_host_ends_with_a_fault(cloud):
    uuid, _ctx = cloud.create_server()
    with cloud.db.writer() as session:
        db_api.transition(session, uuid, task_states=db_api.ANY, vm_state=states.ERROR,
                          task_state=None)
    ctx = cloud.start_action(uuid, 'rebuild', states.REBUILDING, params={'image_ref': 'x'})
    cloud.wait_for(uuid, task_state=None)
    assert cloud.fault(uuid).message == f'Instance {uuid} has no host.'
    assert cloud.events(ctx, uuid) == [('compute_rebuild_instance', 'Error')]
