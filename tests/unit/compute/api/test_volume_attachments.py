"""/servers/{id}/os-volume_attachments: attach, list, show, detach; checks, isolation.

The volume service is ``FakeBlockStorage`` behind the real ``VolumeClient``
(each persona sees only its project's volumes); the conductor records the
casts.
"""
import pytest
import sqlalchemy as sa

from compute import volumes as volumes_mod
from compute.db import models as m
from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import make_server
from tests.unit.compute.fake_block_storage import FakeBlockStorage
from tests.unit.compute.fixtures import RecordingConductor

OTHER_VOLUME_PROJECT = fakes.OTHER_PROJECT


class VolumeRecordingConductor(RecordingConductor):
    """``RecordingConductor`` with the volume casts; ``refuse`` makes them fail."""

    refuse = False

    def attach_volume(self, ctx, instance_uuid, volume_id, mountpoint=None):
        if self.refuse:
            raise RuntimeError('bus down')
        self._record('attach_volume', instance_uuid=instance_uuid, volume_id=volume_id,
                     mountpoint=mountpoint)

    def detach_volume(self, ctx, instance_uuid, volume_id):
        if self.refuse:
            raise RuntimeError('bus down')
        self._record('detach_volume', instance_uuid=instance_uuid, volume_id=volume_id)


@pytest.fixture
def cloud(env):
    fakes.prepare(env)
    env.storage = FakeBlockStorage()
    env.app.volumes = volumes_mod.VolumeClient(env.conf, connect=env.storage.connect)
    env.conductor = env.app.conductor = VolumeRecordingConductor()
    return env


@pytest.fixture
def uuid(cloud):
    return make_server(cloud)


def _path(uuid, volume_id=None):
    return f'/v2.1/servers/{uuid}/os-volume_attachments' + (f'/{volume_id}' if volume_id
                                                            else '')


def _attach(cloud, uuid, volume_id, as_='member', version=None, **extra):
    return cloud.api.post(_path(uuid), {'volumeAttachment': {'volumeId': volume_id, **extra}},
                          as_=as_, version=version)


def _mappings(cloud, uuid):
    with cloud.db.reader() as session:
        return [(b.volume_id, b.device_name, b.attachment_id) for b in session.execute(
            sa.select(m.BlockDeviceMapping).where(
                m.BlockDeviceMapping.instance_uuid == uuid)).scalars()]


def _actions(cloud, uuid):
    with cloud.db.reader() as session:
        return [a.action for a in session.execute(sa.select(m.InstanceAction).where(
            m.InstanceAction.instance_uuid == uuid)).scalars()]


def test_attach_reserves_the_volume_records_and_casts(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    response = _attach(cloud, uuid, volume_id)
    assert response.status_code == 200
    assert response.json == {'volumeAttachment': {
        'id': volume_id, 'serverId': uuid, 'volumeId': volume_id, 'device': '/dev/vdb'}}
    assert cloud.storage.status(volume_id) == 'reserved'
    [(attachment)] = cloud.storage.attachments_of(volume_id)
    assert attachment['instance'] == uuid and attachment['connector'] is None
    assert _mappings(cloud, uuid) == [(volume_id, '/dev/vdb', attachment['id'])]
    assert cloud.conductor.named('attach_volume') == [
        {'instance_uuid': uuid, 'volume_id': volume_id, 'mountpoint': '/dev/vdb'}]
    assert _actions(cloud, uuid) == ['attach_volume']


def test_list_and_show(cloud, uuid):
    first = cloud.storage.add_volume(fakes.PROJECT)
    second = cloud.storage.add_volume(fakes.PROJECT)
    _attach(cloud, uuid, first)
    _attach(cloud, uuid, second, device='/dev/vdd', version='2.49', tag='data')
    listed = cloud.api.get(_path(uuid), as_='reader').json['volumeAttachments']
    assert [(a['volumeId'], a['device']) for a in listed] == [(first, '/dev/vdb'),
                                                              (second, '/dev/vdd')]
    shown = cloud.api.get(_path(uuid, second), as_='reader').json['volumeAttachment']
    assert shown == {'id': second, 'volumeId': second, 'serverId': uuid, 'device': '/dev/vdd'}
    response = cloud.api.get(_path(uuid, '22222222-0000-4000-8000-000000000000'))
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == (
        f'Instance {uuid} is not attached to volume 22222222-0000-4000-8000-000000000000')


def test_device_names_skip_local_disks_and_taken_ones(cloud):
    uuid = make_server(cloud, ephemeral_gb=1, config_drive='True')
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    assert _attach(cloud, uuid, volume_id).json['volumeAttachment']['device'] == '/dev/vdd'
    other = cloud.storage.add_volume(fakes.PROJECT)
    response = _attach(cloud, uuid, other, device='/dev/vdd')
    assert response.status_code == 409
    assert response.json['conflictingRequest']['message'] == \
        'The supplied device path (/dev/vdd) is in use.'
    assert cloud.storage.status(other) == 'available'


def test_a_volume_backed_server_has_its_root_volume_as_vda(cloud):
    uuid = make_server(cloud, image_ref='')
    root = cloud.storage.add_volume(fakes.PROJECT, status='in-use')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='volume',
                                         destination_type='volume', boot_index=0,
                                         volume_id=root, attachment_id=root))
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    assert _attach(cloud, uuid, volume_id).json['volumeAttachment']['device'] == '/dev/vdb'


def test_bad_bodies_are_400(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    for body in ({}, {'volumeAttachment': {}}, {'volumeAttachment': {'volumeId': 'nope'}},
                 {'volumeAttachment': {'volumeId': volume_id, 'device': 'vdb'}},
                 {'volumeAttachment': {'volumeId': volume_id, 'tag': 'x'}},
                 {'volumeAttachment': {'volumeId': volume_id, 'delete_on_termination': True}},
                 {'volumeAttachment': {'volumeId': volume_id, 'extra': 1}}):
        assert cloud.api.post(_path(uuid), body).status_code == 400, body
    response = cloud.api.post(_path(uuid), {'volumeAttachment': {'volumeId': volume_id,
                                                                 'tag': 'a/b'}},
                              version='2.49')
    assert response.status_code == 400
    assert cloud.storage.status(volume_id) == 'available'
    assert cloud.conductor.calls == []


def test_missing_volume_is_404_and_volume_in_use_is_400(cloud, uuid):
    response = _attach(cloud, uuid, '22222222-0000-4000-8000-000000000000')
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == \
        'Volume 22222222-0000-4000-8000-000000000000 could not be found.'
    busy = cloud.storage.add_volume(fakes.PROJECT, status='in-use')
    response = _attach(cloud, uuid, busy)
    assert response.status_code == 400
    assert response.json['badRequest']['message'].startswith('Invalid volume: Volume ')
    assert _mappings(cloud, uuid) == []


def test_second_attach_of_the_same_volume_is_400(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    assert _attach(cloud, uuid, volume_id).status_code == 200
    response = _attach(cloud, uuid, volume_id)
    assert response.status_code == 400
    assert response.json['badRequest']['message'] == \
        f'Invalid volume: volume {volume_id} already attached'
    assert len(cloud.storage.attachments_of(volume_id)) == 1


def test_another_projects_volume_cannot_be_attached(cloud, uuid):
    theirs = cloud.storage.add_volume(OTHER_VOLUME_PROJECT)
    response = _attach(cloud, uuid, theirs)
    assert response.status_code == 404
    assert cloud.storage.status(theirs) == 'available'
    assert cloud.storage.attachments_of(theirs) == []


def test_another_projects_server_is_404_and_readers_are_403(cloud, uuid):
    theirs = cloud.storage.add_volume(OTHER_VOLUME_PROJECT)
    assert _attach(cloud, uuid, theirs, as_='other_member').status_code == 404
    assert cloud.api.get(_path(uuid), as_='other_reader').status_code == 404
    assert cloud.api.delete(_path(uuid, theirs), as_='other_member').status_code == 404
    mine = cloud.storage.add_volume(fakes.PROJECT)
    assert _attach(cloud, uuid, mine, as_='reader').status_code == 403
    assert cloud.storage.status(theirs) == cloud.storage.status(mine) == 'available'
    assert cloud.conductor.calls == []


def test_states_locks_and_tasks_are_409(cloud):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    for columns, words in (({'vm_state': 'suspended'}, 'vm_state suspended'),
                           ({'vm_state': 'error'}, 'vm_state error'),
                           ({'task_state': 'rebooting'}, 'task_state rebooting')):
        uuid = make_server(cloud, **columns)
        response = _attach(cloud, uuid, volume_id)
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == \
            f"Cannot 'attach_volume' instance {uuid} while it is in {words}"
    uuid = make_server(cloud, locked=True)
    response = _attach(cloud, uuid, volume_id)
    assert (response.status_code, response.json['conflictingRequest']['message']) == \
        (409, f'Instance {uuid} is locked')
    assert cloud.storage.status(volume_id) == 'available'
    for state in ('stopped', 'paused'):
        assert _attach(cloud, make_server(cloud, vm_state=state),
                       cloud.storage.add_volume(fakes.PROJECT)).status_code == 200


def test_a_refused_cast_gives_the_volume_back(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    cloud.conductor.refuse = True
    assert _attach(cloud, uuid, volume_id).status_code == 503
    assert cloud.storage.status(volume_id) == 'available'
    assert cloud.storage.attachments == {}
    assert _mappings(cloud, uuid) == []


def test_detach_casts_and_records(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    _attach(cloud, uuid, volume_id)
    assert cloud.api.delete(_path(uuid, volume_id), as_='reader').status_code == 403
    assert cloud.api.delete(_path(uuid, volume_id)).status_code == 202
    assert cloud.conductor.named('detach_volume') == [{'instance_uuid': uuid,
                                                       'volume_id': volume_id}]
    assert _actions(cloud, uuid) == ['attach_volume', 'detach_volume']


def test_detach_checks(cloud, uuid):
    missing = '22222222-0000-4000-8000-000000000000'
    response = cloud.api.delete(_path(uuid, missing))
    assert (response.status_code, response.json['itemNotFound']['message']) == \
        (404, f'Volume {missing} could not be found.')
    loose = cloud.storage.add_volume(fakes.PROJECT)
    response = cloud.api.delete(_path(uuid, loose))
    assert (response.status_code, response.json['itemNotFound']['message']) == \
        (404, f'Instance {uuid} is not attached to volume {loose}')
    root = cloud.storage.add_volume(fakes.PROJECT, status='in-use')
    with cloud.db.writer() as session:
        session.add(m.BlockDeviceMapping(instance_uuid=uuid, source_type='volume',
                                         destination_type='volume', boot_index=0,
                                         volume_id=root, attachment_id=root))
    response = cloud.api.delete(_path(uuid, root))
    assert (response.status_code, response.json['badRequest']['message']) == \
        (400, 'Cannot detach a root device volume')
    busy = make_server(cloud, task_state='resize_prep')
    response = cloud.api.delete(_path(busy, loose))
    assert response.status_code == 409
    assert cloud.conductor.named('detach_volume') == []


def test_a_volume_service_failure_is_503_and_reserves_nothing(cloud, uuid):
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    cloud.storage.fail.add('create_attachment')
    response = _attach(cloud, uuid, volume_id)
    assert response.status_code == 503
    assert 'The volume service is unavailable' in \
        response.json['serviceUnavailable']['message']
    assert cloud.storage.status(volume_id) == 'available'
    assert _mappings(cloud, uuid) == [] and _actions(cloud, uuid) == []
