"""A snapshot that does not end well leaves no image behind (Nova's ``delete_image_on_error``)."""
from compute import states
from compute.agent.drivers.fake import empty_qcow2
from tests.unit.compute.conductor.harness import wait_until

IMAGE = 'img-1'


def _snapshot(cloud, uuid):
    """Do what the API does for createImage: set the task, then cast ``snapshot``."""
    ctx = cloud.start_action(uuid, 'createImage', states.IMAGE_SNAPSHOT)
    cloud.api.run_action(ctx, uuid, 'snapshot', {'image_id': IMAGE})
    return ctx


def test_a_snapshot_that_worked_keeps_its_image(cloud):
    uuid = cloud.boot()
    _snapshot(cloud, uuid)
    cloud.wait_for(uuid, task_state=None)
    assert cloud.snapshots.uploaded == {IMAGE: empty_qcow2()}
    assert cloud.images.deleted == []


def test_a_snapshot_the_driver_could_not_take_deletes_the_image(cloud):
    uuid = cloud.boot()
    cloud.driver(cloud.server(uuid).host).destroy({'uuid': uuid})  # the guest vanished
    ctx = _snapshot(cloud, uuid)
    row = cloud.wait_for(uuid, task_state=None)
    assert row.vm_state == states.ACTIVE
    assert 'could not be found on this host' in cloud.fault(uuid).message
    # Deleted as the user who asked, whose token the cast carried.
    assert cloud.images.deleted == [(ctx.user_id, IMAGE)]
    assert cloud.snapshots.uploaded == {}


def test_a_failed_upload_is_deleted_by_the_agent_and_again_by_the_conductor(cloud):
    uuid = cloud.boot()
    cloud.snapshots.fail = True
    _snapshot(cloud, uuid)
    cloud.wait_for(uuid, task_state=None)
    assert cloud.snapshots.deleted == [IMAGE]
    assert [image for _user, image in cloud.images.deleted] == [IMAGE]


def test_an_agent_that_never_answers_deletes_the_image(cloud):
    uuid = cloud.boot()
    cloud.agents.stop(timeout=5)
    cloud.conf.set_override('agent_timeout', 1, group='conductor')
    _snapshot(cloud, uuid)
    row = cloud.wait_for(uuid, timeout=15, task_state=None)
    assert row.vm_state == states.ERROR
    assert [image for _user, image in cloud.images.deleted] == [IMAGE]


def test_a_snapshot_of_a_server_deleted_meanwhile_deletes_the_image(cloud):
    uuid = cloud.boot()
    ctx = cloud.start_action(uuid, 'delete', states.DELETING)  # before createImage's cast
    cloud.api.run_action(ctx, uuid, 'snapshot', {'image_id': IMAGE})
    cloud.wait_for(uuid, vm_state=states.DELETED)
    wait_until(lambda: cloud.images.deleted)
    assert [image for _user, image in cloud.images.deleted] == [IMAGE]
    assert cloud.snapshots.uploaded == {}
