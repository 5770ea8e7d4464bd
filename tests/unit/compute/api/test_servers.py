"""POST /servers: validation, image/flavor checks, quotas, what is stored and cast."""
import json

import pytest
import sqlalchemy as sa

from compute.db import models
from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import IMAGE_ID, NETWORK_ID, server_body


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


def _create(cloud, body, **kwargs):
    kwargs.setdefault('version', '2.60')
    return cloud.api.post('/v2.1/servers', body, **kwargs)


def _instances(cloud):
    with cloud.db.reader() as session:
        return list(session.execute(sa.select(models.Instance)
                                    .order_by(models.Instance.launch_index)).scalars())


def test_create_stores_a_building_server_and_casts_build(cloud):
    response = _create(cloud, server_body(metadata={'k': 'v'}))
    assert response.status_code == 202, response.json
    server = response.json['server']
    assert set(server) == {'id', 'links', 'OS-DCF:diskConfig', 'security_groups', 'adminPass'}
    assert server['security_groups'] == [{'name': 'default'}]
    assert server['OS-DCF:diskConfig'] == 'MANUAL'
    assert len(server['adminPass']) == 12
    assert response.headers['Location'].endswith(f"/v2.1/servers/{server['id']}")
    assert cloud.conductor.calls == [('build_instances', {'instance_uuids': [server['id']]})]
    (instance,) = _instances(cloud)
    assert (instance.vm_state, instance.task_state, instance.power_state) == \
        ('building', 'scheduling', 0)
    assert (instance.project_id, instance.user_id) == ('project-p', 'user-member')
    assert instance.image_ref == IMAGE_ID and instance.hostname == 'vm1'
    assert json.loads(instance.flavor)['name'] == 'm1.tiny'
    assert instance.requested_networks == '"none"'
    spec = json.loads(instance.request_spec)
    assert spec['image']['id'] == IMAGE_ID and spec['num_attempts'] == 0
    assert spec['image']['properties'] == {'hw_disk_bus': 'virtio'}
    assert spec['ignore_hosts'] == []
    with cloud.db.reader() as session:
        bdms = list(session.execute(sa.select(models.BlockDeviceMapping)).scalars())
        actions = list(session.execute(sa.select(models.InstanceAction)).scalars())
        meta = list(session.execute(sa.select(models.InstanceMetadata)).scalars())
    assert [(b.source_type, b.destination_type, b.boot_index, b.image_id) for b in bdms] == \
        [('image', 'local', 0, IMAGE_ID)]
    assert [a.action for a in actions] == ['create']
    assert [(x.key, x.value) for x in meta] == [('k', 'v')]


def test_osc_image_boot_with_image_bdm_is_accepted(cloud):
    bdm = {'uuid': IMAGE_ID, 'boot_index': 0, 'source_type': 'image',
           'destination_type': 'local', 'delete_on_termination': True}
    response = _create(cloud, server_body(block_device_mapping_v2=[bdm], min_count=1,
                                          max_count=1, security_groups=[{'name': 'sg-id'}]))
    assert response.status_code == 202, response.json
    assert response.json['server']['security_groups'] == [{'name': 'sg-id'}]
    with cloud.db.reader() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(
            models.BlockDeviceMapping)).scalar() == 1


@pytest.mark.parametrize('server, message', [
    ({'name': ''}, "'server.name'"),
    ({'name': ' padded'}, "'server.name'"),
    ({'name': 'x' * 256}, "'server.name'"),
    ({'flavorRef': None}, "'server.flavorRef'"),
    ({'imageRef': None}, 'Missing imageRef attribute'),
    ({'imageRef': 'not-a-uuid'}, 'Invalid imageRef provided.'),
    ({'networks': 'everything'}, "'server.networks'"),
    ({'networks': [{'uuid': 'nope'}]}, "'server.networks"),
    ({'networks': [{'fixed_ip': '10.0.0.1'}]}, "Bad network format: missing 'uuid'"),
    ({'user_data': 'not base64!'}, 'User data needs to be valid base 64.'),
    ({'user_data': 'éé'}, 'User data needs to be valid base 64.'),
    ({'user_data': 'A' * 65536}, "'server.user_data'"),
    ({'metadata': {'k': 1}}, "'server.metadata.k'"),
    ({'metadata': {'': 'v'}}, "'server.metadata'"),
    ({'min_count': 3, 'max_count': 2}, 'min_count must be <= max_count'),
    ({'min_count': 0}, "'server.min_count'"),
    ({'min_count': '0'}, 'min_count and max_count must be at least 1.'),
    ({'max_count': '9' * 20}, 'max_count must be <= 2147483647'),
    # Servers made together are named <name>-<index>: each name must fit 255 characters.
    ({'name': 'a' * 254, 'max_count': 2}, 'The server name is too long to create 2 servers'),
    ({'name': 'a' * 253, 'max_count': 10}, 'The server name is too long to create 10 servers'),
    ({'accessIPv4': '300.1.1.1'}, "'server.accessIPv4'"),
    ({'OS-DCF:diskConfig': 'SOMETIMES'}, "'server.OS-DCF:diskConfig'"),
    ({'tags': ['a/b']}, "'server.tags.0'"),
    ({'tags': [str(i) for i in range(51)]}, "'server.tags'"),
    ({'security_groups': [{}]}, "'server.security_groups.0.name'"),
    ({'unknown': 1}, "'unknown' was unexpected"),
])
def test_invalid_bodies_are_400_with_the_reason(cloud, server, message):
    response = _create(cloud, server_body(**server))
    assert response.status_code == 400, response.json
    assert message in response.json['badRequest']['message']
    assert cloud.conductor.calls == []
    assert _instances(cloud) == []


@pytest.mark.parametrize('bdms, message', [
    ([{'source_type': 'volume', 'destination_type': 'volume', 'boot_index': 0}],
     'Missing device UUID.'),
    ([{'source_type': 'blank', 'uuid': IMAGE_ID, 'destination_type': 'local'}],
     'Invalid device UUID.'),
    ([{'source_type': 'image', 'uuid': IMAGE_ID, 'destination_type': 'local',
       'boot_index': 1}], 'Mapping image to local is not supported.'),
    ([{'source_type': 'floppy', 'uuid': IMAGE_ID}], "'server.block_device_mapping_v2.0"),
    ([{'source_type': 'blank', 'destination_type': 'local', 'boot_index': 2}],
     'Boot sequence'),
    ([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 1}] * 3,
     'more local devices than the limit allows'),
    ([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 1}],
     'Ephemeral disks requested are larger'),
    ([{'source_type': 'blank', 'destination_type': 'local', 'guest_format': 'swap',
       'volume_size': 1}], 'Swap drive requested is larger'),
    ([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': '9' * 20}],
     'volume_size must be <= 2147483647'),
])
def test_invalid_block_device_mappings_are_400(cloud, bdms, message):
    response = _create(cloud, server_body(block_device_mapping_v2=bdms))
    assert response.status_code == 400, response.json
    assert message in response.json['badRequest']['message']


def _boot_volume(uuid, source_type='volume', **extra):
    return {'source_type': source_type, 'destination_type': 'volume', 'boot_index': 0,
            'uuid': uuid, **extra}


def test_boot_from_volume_needs_a_volume_service(cloud):
    volume_id = cloud.storage.add_volume(fakes.PROJECT, size=3, bootable='true')
    body = server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)])
    response = _create(cloud, body)
    assert response.status_code == 400
    assert 'Block storage is not available' in response.json['badRequest']['message']
    fakes.with_catalog(cloud, 'volumev3')
    response = _create(cloud, body)
    assert response.status_code == 202, response.json
    (instance,) = _instances(cloud)
    assert instance.image_ref == ''
    server = cloud.api.get(f"/v2.1/servers/{instance.uuid}", version='2.60').json['server']
    assert server['image'] == ''
    assert server['os-extended-volumes:volumes_attached'] == [
        {'id': volume_id, 'delete_on_termination': False}]
    with cloud.db.reader() as session:
        bdm = session.execute(sa.select(models.BlockDeviceMapping)).scalar_one()
    assert (bdm.volume_id, bdm.volume_size) == (volume_id, 3)  # the volume's, as Nova
    assert cloud.storage.status(volume_id) == 'available'  # the conductor reserves it


def _refused(cloud, body, message):
    response = _create(cloud, body)
    assert response.status_code == 400, response.json
    assert response.json['badRequest']['message'] == message
    assert cloud.conductor.calls == [] and _instances(cloud) == []


def test_a_volume_the_user_cannot_get_is_refused_as_nova_does(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    missing = 'bd7e3a0c-6a4b-4d9e-8d8f-6a8a4c3b2a10'
    others = cloud.storage.add_volume(fakes.OTHER_PROJECT)
    for volume_id in (missing, others):  # another project's volume is not told apart
        _refused(cloud, server_body(imageRef='', block_device_mapping_v2=[
            _boot_volume(volume_id)]),
            f'Block Device Mapping is Invalid: failed to get volume {volume_id}.')
    data = {'source_type': 'volume', 'destination_type': 'volume', 'uuid': others}
    _refused(cloud, server_body(block_device_mapping_v2=[data]),
             f'Block Device Mapping is Invalid: failed to get volume {others}.')


@pytest.mark.parametrize('attrs, message', [
    ({'status': 'in-use'}, "Invalid volume: volume '{id}' status must be 'available'. "
                           "Currently in 'in-use'"),
    ({'status': 'error'}, "Invalid volume: volume '{id}' status must be 'available'. "
                          "Currently in 'error'"),
    ({'bootable': 'false'}, 'Block Device {id} is not bootable.'),
])
def test_a_root_volume_that_cannot_be_used_is_refused(cloud, attrs, message):
    fakes.with_catalog(cloud, 'volumev3')
    volume_id = cloud.storage.add_volume(fakes.PROJECT, **attrs)
    _refused(cloud, server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)]),
             message.format(id=volume_id))
    assert cloud.storage.status(volume_id) == attrs.get('status', 'available')


def test_one_volume_for_several_servers_is_refused_unless_multiattach(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    body = server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)],
                       max_count=2)
    _refused(cloud, body, f"Invalid volume: volume '{volume_id}' cannot be attached to 2 "
                          'servers: it is not multiattach')
    shared = cloud.storage.add_volume(fakes.PROJECT, status='in-use', multiattach=True)
    body = server_body(block_device_mapping_v2=[
        {'source_type': 'volume', 'destination_type': 'volume', 'uuid': shared}], max_count=2)
    assert _create(cloud, body).status_code == 202


def test_a_snapshot_the_user_cannot_get_is_refused_and_sizes_the_volume(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    others = cloud.storage.add_snapshot(fakes.OTHER_PROJECT)
    _refused(cloud, server_body(imageRef='', block_device_mapping_v2=[
        _boot_volume(others, 'snapshot')]),
        f'Block Device Mapping is Invalid: failed to get snapshot {others}.')
    mine = cloud.storage.add_snapshot(fakes.PROJECT, size=4)
    response = _create(cloud, server_body(imageRef='', block_device_mapping_v2=[
        _boot_volume(mine, 'snapshot')]))
    assert response.status_code == 202, response.json
    with cloud.db.reader() as session:
        bdm = session.execute(sa.select(models.BlockDeviceMapping)).scalar_one()
    assert (bdm.source_type, bdm.snapshot_id, bdm.volume_size) == ('snapshot', mine, 4)


def test_a_volume_service_that_does_not_answer_is_503(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    volume_id = cloud.storage.add_volume(fakes.PROJECT)
    cloud.storage.fail.add('get_volume')
    response = _create(cloud, server_body(imageRef='', block_device_mapping_v2=[
        _boot_volume(volume_id)]))
    assert response.status_code == 503, response.json
    assert _instances(cloud) == []


@pytest.mark.parametrize('networks', ['auto', [{'uuid': NETWORK_ID}]])
def test_networks_need_the_network_service(cloud, networks):
    response = _create(cloud, server_body(networks=networks))
    assert response.status_code == 400
    assert 'networks": "none"' in response.json['badRequest']['message']
    fakes.with_catalog(cloud, 'network')
    response = _create(cloud, server_body(networks=networks))
    assert response.status_code == 202
    assert json.loads(_instances(cloud)[0].requested_networks) == networks


def test_networks_are_required_from_2_37_and_optional_before(cloud):
    response = _create(cloud, server_body(networks=None), version='2.37')
    assert response.status_code == 400
    assert "'server.networks'" in response.json['badRequest']['message']
    response = _create(cloud, server_body(networks=None), version='2.36')
    assert response.status_code == 202  # no network service: none
    assert _instances(cloud)[0].requested_networks == '"none"'
    response = _create(cloud, server_body(networks='none'), version='2.36')
    assert response.status_code == 400  # "none" is 2.37


def test_network_tags_follow_the_version(cloud):
    fakes.with_catalog(cloud, 'network')
    tagged = [{'uuid': NETWORK_ID, 'tag': 'eth0'}]
    assert _create(cloud, server_body(networks=tagged), version='2.42').status_code == 202
    assert _create(cloud, server_body(networks=tagged), version='2.37').status_code == 400
    assert _create(cloud, server_body(networks=tagged), version='2.32').status_code == 202


def test_port_cannot_be_given_twice_or_with_many_servers(cloud):
    fakes.with_catalog(cloud, 'network')
    port = 'bd7e3a0c-6a4b-4d9e-8d8f-6a8a4c3b2a10'
    response = _create(cloud, server_body(networks=[{'port': port}, {'port': port}]))
    assert 'was specified twice' in response.json['badRequest']['message']
    response = _create(cloud, server_body(networks=[{'port': port}], max_count=2))
    assert 'multiple instances with a single configured port' in \
        response.json['badRequest']['message']


@pytest.mark.parametrize('image, message', [
    ({'status': 'queued'}, f'Image {IMAGE_ID} is not active.'),
    ({'min_ram': 1024}, "Flavor's memory is too small for requested image."),
    ({'min_disk': 5}, 'minimum size is 5368709120 bytes'),
    ({'size': 2 * 1024 ** 3}, 'image is 2147483648 bytes'),
])
def test_image_must_suit_the_flavor(cloud, image, message):
    cloud.app.images.images[IMAGE_ID].update(image)
    response = _create(cloud, server_body())
    assert response.status_code == 400
    assert message in response.json['badRequest']['message']


@pytest.mark.parametrize('key', ['kernel_id', 'ramdisk_id'])
def test_kernel_and_ramdisk_must_be_readable_by_the_user(cloud, key):
    # The image service answers "not found" for another project's private image.
    hidden, queued = 'b2459075-d96c-40d5-893e-577ff92e721c', 'c2459075-d96c-40d5-893e-577ff92e721c'
    cloud.app.images.images[queued] = cloud.app.images.image(queued, status='queued')
    for part, in ((hidden,), (queued,)):
        cloud.app.images.images[IMAGE_ID]['properties'] = {key: part}
        response = _create(cloud, server_body())
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == f'Image {part} could not be found.'
    assert _instances(cloud) == []
    cloud.app.images.images[queued]['status'] = 'active'
    assert _create(cloud, server_body()).status_code == 202


def test_unknown_image_and_flavor_are_400(cloud):
    other = 'a2459075-d96c-40d5-893e-577ff92e721c'
    response = _create(cloud, server_body(imageRef=other))
    assert response.json['badRequest']['message'] == f'Image {other} could not be found.'
    response = _create(cloud, server_body(flavorRef='http://compute/v2.1/flavors/99'))
    assert response.status_code == 400
    assert 'could not be found' in response.json['badRequest']['message']


def test_flavor_and_image_links_are_accepted(cloud):
    response = _create(cloud, server_body(flavorRef='http://compute/v2.1/flavors/2',
                                          imageRef=f'http://image/v2/images/{IMAGE_ID}'))
    assert response.status_code == 202, response.json
    assert _instances(cloud)[0].vcpus == 2


def test_zero_disk_flavor_needs_a_volume_unless_admin(cloud):
    fakes.add_flavor(cloud, '0', 'm1.zero', disk=0)
    response = _create(cloud, server_body(flavorRef='0'))
    assert response.status_code == 403
    assert 'zero disk' in response.json['forbidden']['message']
    assert _create(cloud, server_body(flavorRef='0'), as_='cloud_admin').status_code == 202


def test_key_name_must_be_the_users(cloud):
    response = _create(cloud, server_body(key_name='mine'))
    assert response.json['badRequest']['message'] == 'Invalid key_name provided.'
    with cloud.db.writer() as session:
        session.add(models.KeyPair(name='mine', user_id='user-member', fingerprint='f',
                                   public_key='ssh-ed25519 AAAA test'))
    assert _create(cloud, server_body(key_name='mine'), as_='other_member').status_code == 400
    assert _create(cloud, server_body(key_name='mine')).status_code == 202
    (instance,) = _instances(cloud)
    assert (instance.key_name, instance.key_data) == ('mine', 'ssh-ed25519 AAAA test')


def test_availability_zone_must_exist_and_forced_host_is_for_admins(cloud):
    response = _create(cloud, server_body(availability_zone='mars'))
    assert response.json['badRequest']['message'] == \
        'The requested availability zone is not available'
    response = _create(cloud, server_body(availability_zone=':host1'))
    assert response.status_code == 403
    response = _create(cloud, server_body(availability_zone=':host1'), as_='cloud_admin')
    assert response.status_code == 202, response.json
    assert json.loads(_instances(cloud)[0].request_spec)['force_hosts'] == ['host1']


def test_instances_quota_is_enforced_for_the_lot(make_env):
    cloud = fakes.prepare(make_env(quota__instances=3))
    response = _create(cloud, server_body(min_count=4, max_count=4))
    assert response.status_code == 403
    assert 'Quota exceeded for instances' in response.json['forbidden']['message']
    response = _create(cloud, server_body(min_count=2, max_count=5))
    assert response.status_code == 202
    assert [i.display_name for i in _instances(cloud)] == ['vm1-1', 'vm1-2', 'vm1-3']
    (call,) = cloud.conductor.named('build_instances')
    assert call['instance_uuids'] == [i.uuid for i in _instances(cloud)]
    assert _create(cloud, server_body()).status_code == 403


def test_cores_and_metadata_quotas(make_env):
    cloud = fakes.prepare(make_env(quota__cores=3, quota__metadata_items=1))
    response = _create(cloud, server_body(flavorRef='2', max_count=2, min_count=2))
    assert 'Quota exceeded for cores' in response.json['forbidden']['message']
    response = _create(cloud, server_body(metadata={'a': '1', 'b': '2'}))
    assert response.status_code == 403


def test_multiple_create_names_up_to_the_limit(cloud):
    response = _create(cloud, server_body(name='a' * 253, max_count=2))
    assert response.status_code == 202, response.json
    assert sorted(len(i.display_name) for i in _instances(cloud)) == [255, 255]


def test_multiple_create_with_reservation_id(cloud):
    response = _create(cloud, server_body(max_count=2, return_reservation_id=True))
    assert response.status_code == 202
    reservation = response.json['reservation_id']
    instances = _instances(cloud)
    assert [(i.display_name, i.hostname, i.launch_index) for i in instances] == \
        [('vm1-1', 'vm1-1', 0), ('vm1-2', 'vm1-2', 1)]
    assert {i.reservation_id for i in instances} == {reservation}


def test_server_group_hint_adds_membership_and_checks_the_owner(cloud):
    with cloud.db.writer() as session:
        group = models.ServerGroup(name='g', project_id='project-q', user_id='u',
                                   policy='anti-affinity')
        session.add(group)
        session.flush()
        group_uuid = group.uuid
    body = server_body()
    body['os:scheduler_hints'] = {'group': group_uuid}
    response = _create(cloud, body)
    assert response.json['badRequest']['message'] == \
        f'Instance group {group_uuid} could not be found.'
    response = _create(cloud, body, as_='other_member')
    assert response.status_code == 202, response.json
    with cloud.db.reader() as session:
        members = list(session.execute(sa.select(models.ServerGroupMember)).scalars())
    assert [m.instance_uuid for m in members] == [response.json['server']['id']]
    spec = json.loads(_instances(cloud)[0].request_spec)
    assert spec['group'] == group_uuid and spec['scheduler_hints'] == {'group': group_uuid}


def test_description_and_tags_need_their_versions(cloud):
    assert _create(cloud, server_body(description='d'), version='2.18').status_code == 400
    assert _create(cloud, server_body(tags=['a']), version='2.51').status_code == 400
    response = _create(cloud, server_body(description='d', tags=['a', 'b']))
    server = cloud.api.get(f"/v2.1/servers/{response.json['server']['id']}",
                           version='2.60').json['server']
    assert (server['description'], server['tags']) == ('d', ['a', 'b'])


def test_readers_cannot_create(cloud):
    assert _create(cloud, server_body(), as_='reader').status_code == 403


def test_a_failed_cast_puts_the_servers_in_error_and_answers_503(cloud):
    def refuse(ctx, instance_uuids):
        raise ConnectionError('rabbit is down')
    cloud.conductor.build_instances = refuse
    response = _create(cloud, server_body())
    assert response.status_code == 503
    (instance,) = _instances(cloud)
    assert (instance.vm_state, instance.task_state) == ('error', None)
    server = cloud.api.get(f'/v2.1/servers/{instance.uuid}').json['server']
    assert server['status'] == 'ERROR'
    assert 'conductor is unreachable' in server['fault']['message']
    assert cloud.api.delete(f'/v2.1/servers/{instance.uuid}').status_code == 204


def _stored_image(cloud):
    (instance,) = _instances(cloud)
    return json.loads(instance.request_spec)['image']


def test_a_server_booted_from_a_volume_keeps_the_image_the_volume_was_made_from(cloud):
    """As Nova's ``get_image_metadata_from_volume``: a volume made from a "uec" image boots
    that image's kernel and ramdisk, which the volume's record names."""
    fakes.with_catalog(cloud, 'volumev3')
    images = cloud.app.images
    for part in ('kernel-1', 'ramdisk-1'):
        images.images[part] = images.image(part, disk_format='aki')
    volume_id = cloud.storage.add_volume(
        fakes.PROJECT, bootable='true', volume_image_metadata={
            'image_id': IMAGE_ID, 'image_name': 'cirros', 'checksum': 'c0ffee',
            'min_ram': '64', 'min_disk': '1', 'disk_format': 'qcow2',
            'kernel_id': 'kernel-1', 'ramdisk_id': 'ramdisk-1',
            'os_command_line': 'root=/dev/vda console=ttyS0'})
    body = server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)])
    assert _create(cloud, body).status_code == 202
    image = _stored_image(cloud)
    assert (image['id'], image['name'], image['min_ram'], image['disk_format']) == (
        IMAGE_ID, 'cirros', '64', 'qcow2')
    assert image['properties'] == {'kernel_id': 'kernel-1', 'ramdisk_id': 'ramdisk-1',
                                   'os_command_line': 'root=/dev/vda console=ttyS0'}


def test_a_boot_volume_naming_a_kernel_the_user_cannot_read_is_refused(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    volume_id = cloud.storage.add_volume(
        fakes.PROJECT, bootable='true',
        volume_image_metadata={'image_id': IMAGE_ID, 'kernel_id': 'someone-elses-kernel'})
    _refused(cloud, server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)]),
             'Image someone-elses-kernel could not be found.')


def test_a_boot_volume_not_made_from_an_image_has_no_image(cloud):
    fakes.with_catalog(cloud, 'volumev3')
    volume_id = cloud.storage.add_volume(fakes.PROJECT, bootable='true')
    body = server_body(imageRef='', block_device_mapping_v2=[_boot_volume(volume_id)])
    assert _create(cloud, body).status_code == 202
    assert _stored_image(cloud) is None
