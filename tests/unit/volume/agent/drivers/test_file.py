"""The file driver's checks that come before any tool runs, and its answers about itself.

What it does to data, with the real qemu-img, is in
``tests/functional/volume/agent/test_file_driver.py``.
"""
import os
import uuid

import pytest

from volume.agent.drivers import driver
from volume.agent.drivers import file


def _id():
    return str(uuid.uuid4())


@pytest.fixture
def drv(backend_conf):
    made = file.FileDriver(backend_conf, 'host-1')
    made._layout.make_directories()
    return made


@pytest.fixture
def volume(drv, backend_conf):
    """A raw volume whose file exists (empty: no tool reads it in these tests)."""
    made = {'id': _id(), 'size': 1, 'format': 'raw'}
    open(os.path.join(backend_conf.backend.volumes_dir, f'volume-{made["id"]}'), 'wb').close()
    return made


BAD_ID = {'id': '../../etc/passwd', 'size': 1, 'format': 'raw'}


def _other(v):
    return dict(v, id=_id())


@pytest.mark.parametrize('call', [
    lambda d, v: d.create_volume(BAD_ID),
    lambda d, v: d.delete_volume(BAD_ID),
    lambda d, v: d.extend_volume(BAD_ID, 2),
    lambda d, v: d.create_snapshot({'id': '../x', 'volume_id': v['id']}, v),
    lambda d, v: d.delete_snapshot({'id': 'snapshot-1'}),
    lambda d, v: d.create_volume_from_snapshot(BAD_ID, {'id': _id()}),
    lambda d, v: d.create_volume_from_snapshot(_other(v), {'id': '..'}),
    lambda d, v: d.create_cloned_volume(_other(v), BAD_ID),
    lambda d, v: d.copy_image_to_volume(BAD_ID, '/dev/null', 'raw'),
    lambda d, v: d.copy_volume_to_image(BAD_ID, '/tmp/x', 'raw'),
    lambda d, v: d.initialize_connection(BAD_ID, {}),
    lambda d, v: d.terminate_connection(BAD_ID, {}),
    lambda d, v: d.backup_volume({'id': '/', 'volume_id': v['id']}, v),
    lambda d, v: d.backup_volume({'id': _id(), 'volume_id': v['id']}, v, parent={'id': '.'}),
    lambda d, v: d.restore_backup({'id': '..'}, v),
    lambda d, v: d.delete_backup({'id': '..'}),
], ids=lambda call: call.__code__.co_names[0])
def test_ids_that_are_not_uuids_are_refused(drv, volume, call, tmp_path):
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(driver.InvalidResource, match='is not a UUID'):
        call(drv, volume)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize('size', [0, -1, '1', 1.5, True, None])
def test_sizes_must_be_whole_gib(drv, size):
    with pytest.raises(driver.InvalidResource, match='whole number of GiB'):
        drv.create_volume({'id': _id(), 'size': size, 'format': 'raw'})


def test_extend_size_must_be_whole_gib(drv, volume):
    with pytest.raises(driver.InvalidResource, match='whole number of GiB'):
        drv.extend_volume(volume, '2')


@pytest.mark.parametrize('fmt', ['vmdk', 'RAW', 'qcow'])
def test_formats_are_raw_or_qcow2(drv, fmt):
    with pytest.raises(driver.InvalidResource, match=f"format '{fmt}'"):
        drv.create_volume({'id': _id(), 'size': 1, 'format': fmt})


def test_an_existing_volume_must_say_its_format(drv, volume):
    del volume['format']
    with pytest.raises(driver.InvalidResource, match='format None'):
        drv.initialize_connection(volume, {})


def test_connection_names_the_file(drv, volume, backend_conf):
    path = os.path.join(backend_conf.backend.volumes_dir, f'volume-{volume["id"]}')
    assert drv.initialize_connection(dict(volume, format='qcow2'), {'host': 'compute-1'}) == {
        'driver_volume_type': 'file',
        'data': {'device_path': path, 'format': 'qcow2', 'name': f'volume-{volume["id"]}'}}


def test_connection_to_a_missing_volume(drv):
    missing = {'id': _id(), 'size': 1, 'format': 'raw'}
    with pytest.raises(driver.VolumeNotFound, match=missing['id']):
        drv.initialize_connection(missing, {})


def test_terminate_connection_leaves_the_file(drv, volume, backend_conf):
    assert drv.terminate_connection(volume, {'host': 'compute-1'}) is None
    assert os.listdir(backend_conf.backend.volumes_dir) == [f'volume-{volume["id"]}']


@pytest.mark.parametrize('method, payload', [('delete_volume', {'id': _id()}),
                                             ('delete_snapshot', {'id': _id()}),
                                             ('delete_backup', {'id': _id()})])
def test_deleting_what_is_gone_succeeds(drv, method, payload):
    assert getattr(drv, method)(payload) is None


def test_snapshot_of_another_volume_is_refused(drv, volume):
    with pytest.raises(driver.InvalidResource, match='not of volume'):
        drv.create_snapshot({'id': _id(), 'volume_id': _id()}, volume)


def test_backup_of_another_volume_is_refused(drv, volume):
    with pytest.raises(driver.InvalidResource, match='not of volume'):
        drv.backup_volume({'id': _id(), 'volume_id': _id()}, volume)


def test_backup_from_a_missing_parent(drv, volume):
    parent = {'id': _id()}
    with pytest.raises(driver.BackupNotFound, match=parent['id']):
        drv.backup_volume({'id': _id(), 'volume_id': volume['id']}, volume, parent=parent)


def test_restore_of_a_missing_backup(drv, volume):
    backup = {'id': _id()}
    with pytest.raises(driver.BackupNotFound, match=backup['id']):
        drv.restore_backup(backup, volume)


@pytest.mark.parametrize('disk_format', ['vmdk', 'vhd', 'iso'])
def test_upload_formats_are_raw_or_qcow2(drv, volume, disk_format):
    with pytest.raises(driver.InvalidResource, match='raw or qcow2 images'):
        drv.copy_volume_to_image(volume, '/tmp/image', disk_format)


def test_capabilities(drv, backend_conf):
    backend_conf.set_override('reserved_percentage', 15, group='backend')
    backend_conf.set_override('volume_format', 'qcow2', group='backend')
    backend_conf.set_override('volume_backend_name', 'nfs-gold', group='backend')
    stats = os.statvfs(backend_conf.backend.volumes_dir)
    caps = drv.capabilities()
    assert caps == {
        'volume_backend_name': 'nfs-gold', 'driver': 'file', 'storage_protocol': 'file',
        'total_capacity_gb': round(stats.f_blocks * stats.f_frsize / 1024 ** 3, 2),
        'free_capacity_gb': pytest.approx(stats.f_bavail * stats.f_frsize / 1024 ** 3,
                                          abs=0.1),
        'reserved_percentage': 15, 'multiattach': True, 'thin_provisioning_support': True,
        'thick_provisioning_support': False, 'formats': ['raw', 'qcow2'],
        'default_format': 'qcow2'}


def test_capabilities_of_a_missing_directory_is_a_driver_error(backend_conf, tmp_path):
    backend_conf.set_override('volumes_dir', str(tmp_path / 'not-mounted'), group='backend')
    with pytest.raises(driver.DriverError, match='not-mounted'):
        file.FileDriver(backend_conf, 'host-1').capabilities()
