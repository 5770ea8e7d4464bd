"""Tasks whose conductor died are finished or undone; tasks still being worked on are not."""
import datetime
import logging

import pytest
import sqlalchemy as sa

from common.context import RequestContext
from compute import states
from compute.conductor import reconcile
from compute.db import api as db_api
from compute.db import models as m


def _abandon(cloud, uuid, task, action, minutes_ago=30, vm_state=None):
    """Leave ``uuid`` in ``task`` as a conductor that died ``minutes_ago`` would have."""
    ctx = RequestContext(request_id=f'req-{task}', user_id='u1', project_id='p1',
                         roles=['member'])
    then = cloud.deps.now() - datetime.timedelta(minutes=minutes_ago)
    values = {'vm_state': vm_state} if vm_state else {}
    with cloud.db.writer() as session:
        assert db_api.transition(session, uuid, task_states=db_api.ANY, task_state=task,
                                 **values)
        db_api.start_action(session, ctx, uuid, action)
        session.execute(sa.update(m.Instance).where(m.Instance.uuid == uuid)
                        .values(updated_at=then))


@pytest.mark.parametrize('task,action', [
    (states.POWERING_OFF, 'stop'), (states.REBOOTING_HARD, 'reboot'),
    (states.IMAGE_UPLOADING, 'createImage'),
])
def test_abandoned_task_is_cleared_with_a_fault(cloud, task, action):
    uuid = cloud.boot()
    _abandon(cloud, uuid, task, action)
    reconcile.reset_abandoned_tasks(cloud.deps)
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state) == (states.ACTIVE, None)
    assert task in cloud.fault(uuid).message


@pytest.mark.parametrize('task', [states.REBUILD_SPAWNING, states.RESIZE_MIGRATING])
def test_abandoned_rebuild_or_resize_leaves_the_server_in_error(cloud, task):
    uuid = cloud.boot()
    _abandon(cloud, uuid, task, 'rebuild')
    reconcile.reset_abandoned_tasks(cloud.deps)
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state) == (states.ERROR, None)
    assert cloud.fault(uuid) is not None


def test_abandoned_delete_is_carried_out(cloud):
    uuid = cloud.boot()
    host = cloud.server(uuid).host
    _abandon(cloud, uuid, states.DELETING, 'delete')
    reconcile.reset_abandoned_tasks(cloud.deps)
    assert cloud.server(uuid).deleted_at is not None
    assert cloud.allocations(uuid) == []
    assert uuid not in cloud.driver(host).list_instances()


def test_abandoned_port_making_build_goes_to_error_and_gives_back_its_claim(cloud):
    uuid = cloud.boot()
    _abandon(cloud, uuid, states.NETWORKING, 'create', vm_state=states.BUILDING)
    reconcile.reset_abandoned_tasks(cloud.deps)
    row = cloud.server(uuid)
    assert (row.vm_state, row.task_state) == (states.ERROR, None)
    assert cloud.allocations(uuid) == []


def test_task_a_conductor_may_still_be_working_on_is_left_alone(cloud):
    uuid = cloud.boot()
    idle = cloud.conf.conductor.agent_timeout * reconcile.ABANDONED_AFTER
    _abandon(cloud, uuid, states.POWERING_OFF, 'stop', minutes_ago=idle / 60 / 2)
    reconcile.reset_abandoned_tasks(cloud.deps)
    assert cloud.server(uuid).task_state == states.POWERING_OFF
    assert cloud.fault(uuid) is None


def test_a_task_that_moved_on_meanwhile_is_not_reset(cloud):
    uuid = cloud.boot()
    _abandon(cloud, uuid, states.POWERING_OFF, 'stop')
    stale = reconcile.abandoned_tasks(cloud.deps)
    with cloud.db.writer() as session:  # the slow conductor finishes first
        db_api.transition(session, uuid, task_states=[states.POWERING_OFF],
                          task_state=states.POWERING_OFF)
    for row_uuid, _vm_state, task, seen in stale:
        reconcile._reset(cloud.deps, row_uuid, task, seen)
    assert cloud.server(uuid).task_state == states.POWERING_OFF
    assert cloud.fault(uuid) is None


def test_an_abandoned_snapshot_tells_the_operator_about_its_image(cloud, caplog):
    uuid = cloud.boot()
    _abandon(cloud, uuid, states.IMAGE_UPLOADING, 'createImage')
    with caplog.at_level(logging.WARNING, logger=reconcile.__name__):
        reconcile.reset_abandoned_tasks(cloud.deps)
    assert f'snapshot of server {uuid} may have left its image queued' in caplog.text
    assert f'instance_uuid={uuid}' in caplog.text
