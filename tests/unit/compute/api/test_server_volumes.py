"""Servers with volumes at the API: rebuild and resize wait for an attach to finish, and a
server deleted before it got a host gives its volumes back.

The volume service is ``FakeBlockStorage`` behind the real ``VolumeClient``
(``server_fakes.prepare``); the conductor records the casts.
"""
import datetime
import json

import pytest
import sqlalchemy as sa

from compute.db import api as db_api
from compute.db import models as m
from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import IMAGE_ID, make_server

LAUNCHED = datetime.datetime(2026, 1, 1, 12, 0, 0)
INFO = {'driver_volume_type': 'file', 'data': {'device_path': '/srv/v', 'format': 'raw'}}


@pytest.fixture
def cloud(env):
    fakes.prepare(env)
    fakes.add_flavor(env, 'big', 'm1.big', ram=1024, vcpus=2, disk=2)
    return env


def _add_mapping(cloud, uuid, volume_id, **columns):
    columns.setdefault('source_type', 'volume')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, destination_type='volume',
                                         volume_id=volume_id, **columns))


def _act(cloud, uuid, body):
    return cloud.api.post(f'/v2.1/servers/{uuid}/action', body, version='2.60')


ACTIONS = [('rebuild', {'rebuild': {'imageRef': IMAGE_ID}}),
           ('resize', {'resize': {'flavorRef': 'big'}})]


@pytest.mark.parametrize('name, body', ACTIONS)
def test_rebuild_and_resize_wait_for_an_attach_to_finish(cloud, name, body):
    uuid = make_server(cloud, launched_at=LAUNCHED)
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    _add_mapping(cloud, uuid, volume_id, attachment_id='aaaaaaaa-0000-4000-8000-000000000001',
                 device_name='/dev/vdb')
    response = _act(cloud, uuid, body)
    assert response.status_code == 409, response.json
    assert response.json['conflictingRequest']['message'] == (
        f"Cannot '{name}' instance {uuid} while volume {volume_id} is being attached to it")
    with cloud.db.reader() as session:
        row = db_api.get_instance(session, uuid)
        assert (row.task_state, row.image_ref) == (None, IMAGE_ID)
        assert session.execute(sa.select(m.InstanceAction)).scalars().all() == []
    assert cloud.conductor.calls == []


@pytest.mark.parametrize('name, body', ACTIONS)
def test_rebuild_and_resize_of_a_server_with_connected_volumes_go_on(cloud, name, body):
    uuid = make_server(cloud, launched_at=LAUNCHED)
    _add_mapping(cloud, uuid, cloud.storage.add_volume(fakes.PROJECT),
                 attachment_id='aaaaaaaa-0000-4000-8000-000000000001',
                 connection_info=json.dumps(INFO), device_name='/dev/vdb')
    assert _act(cloud, uuid, body).status_code == 202
    assert [kwargs['action'] for kwargs in cloud.conductor.named('run_action')] == [name]


def test_a_server_deleted_before_it_got_a_host_gives_its_volumes_back(cloud):
    """A build that failed on a host and waits to be scheduled again keeps the volumes it
    made (recorded, attachments already given back); a delete then happens here."""
    uuid = make_server(cloud, host=None, node=None, vm_state='building',
                       task_state='scheduling')
    made = cloud.storage.add_volume(fakes.PROJECT)
    mine = cloud.storage.add_volume(fakes.PROJECT)
    _add_mapping(cloud, uuid, made, source_type='image', image_id=IMAGE_ID, boot_index=0,
                 volume_size=1, delete_on_termination=True)
    _add_mapping(cloud, uuid, mine)
    assert cloud.api.delete(f'/v2.1/servers/{uuid}').status_code == 204
    assert cloud.conductor.calls == []
    assert cloud.storage.status(made) is None  # delete_on_termination: deleted
    assert cloud.storage.status(mine) == 'available'  # the user's: kept


def test_a_local_delete_goes_on_when_the_volume_service_fails(cloud):
    uuid = make_server(cloud, host=None, node=None, vm_state='error')
    made = cloud.storage.add_volume(fakes.PROJECT)
    _add_mapping(cloud, uuid, made, delete_on_termination=True)
    cloud.storage.fail.add('delete_volume')
    assert cloud.api.delete(f'/v2.1/servers/{uuid}').status_code == 204
    with cloud.db.reader() as session:
        assert db_api.get_instance(session, uuid) is None
    assert cloud.storage.status(made) == 'available'  # logged for an operator
