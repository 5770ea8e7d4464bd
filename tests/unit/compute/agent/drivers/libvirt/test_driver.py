"""``LibvirtDriver`` against a stand-in libvirt daemon (``fake_libvirt``), with real files.

Disks are made by the real ``qemu-img``, config drives by ``genisoimage``:
what is checked here is what the driver leaves on disk (modes, leftovers,
disks kept or dropped) when libvirt succeeds or fails.
"""
import logging
import os
import shutil
import subprocess
import uuid

import pytest

from compute import conf as compute_conf
from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import driver as libvirt_driver
from compute.agent.drivers.libvirt import host as libvirt_host
from tests import file_modes
from tests.unit import make_conf
from tests.unit.compute.agent.drivers.libvirt import fake_images
from tests.unit.compute.agent.drivers.libvirt import fake_libvirt

PREFIX = 'stratus-unit-'
FLAVOR = {'id': 'f1', 'name': 'm1', 'vcpus': 1, 'ram': 128, 'disk': 0, 'ephemeral': 0,
          'swap': 0}


@pytest.fixture(scope='module')
def image_data(tmp_path_factory):
    path = tmp_path_factory.mktemp('image') / 'root.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path), '16M'], check=True)
    return path.read_bytes()


@pytest.fixture
def conn(monkeypatch):
    connection = fake_libvirt.Connection()
    monkeypatch.setattr(libvirt_host.libvirt, 'open', lambda uri: connection)
    return connection


@pytest.fixture
def root(tmp_path):
    return tmp_path / 'instances'


@pytest.fixture
def make_driver(conn, root, tmp_path):
    def make(host='h1', prefix=PREFIX):
        conf = make_conf(tmp_path, register=compute_conf.register_opts,
                         agent__instances_path=str(root), libvirt__virt_type='qemu',
                         libvirt__connection_uri='qemu:///system',
                         libvirt__domain_name_prefix=prefix)
        return libvirt_driver.LibvirtDriver(conf, host)
    return make


@pytest.fixture
def drv(make_driver):
    return make_driver()


@pytest.fixture
def request_for(image_data):
    def make(**instance):
        fields = {'uuid': str(uuid.uuid4()), 'name': 'vm', 'flavor': FLAVOR,
                  'project_id': 'p1', 'user_id': 'u1', 'user_data': 'c2VjcmV0',
                  'config_drive': True, **instance}
        return virt.SpawnRequest(instance=fields, image_meta={'id': 'img-1',
                                                              'disk_format': 'qcow2'},
                                 fetch_image=fake_images.ImageService({'img-1': image_data}))
    return make


def _resize_on_this_host(drv, request):
    drv.spawn(request)
    disk_info = drv.migrate_disk_and_power_off(request.instance, 'h1')
    drv.finish_migration(request, disk_info, power_on=True)


# --- permissions -----------------------------------------------------------------------

def test_tenant_files_are_readable_by_root_only(drv, request_for, root):
    request = request_for()
    drv.spawn(request)
    snapshot = drv.snapshot(request.instance)
    uuid_ = request.instance['uuid']
    found = file_modes.modes(root)
    assert {path: mode for path, mode in found.items() if mode != 0o600} == {
        '.': 0o711, '_base': 0o711, '_hosts': 0o711, 'snapshots': 0o711, uuid_: 0o711}
    assert {f'{uuid_}/disk', f'{uuid_}/disk.config', '_base/img-1',
            os.path.relpath(snapshot, root)} <= set(found)


# --- confirming a resize ---------------------------------------------------------------

def test_confirm_drops_the_disks_set_aside_once_the_resized_guest_has_its_own(drv, request_for,
                                                                             root):
    request = request_for()
    _resize_on_this_host(drv, request)
    aside = root / (request.instance['uuid'] + '_resize')
    assert (aside / 'disk').is_file()
    drv.confirm_migration(request.instance)
    assert not aside.exists()
    drv.confirm_migration(request.instance)  # a lost reply: asked again


def test_confirm_after_a_failed_revert_keeps_the_only_copy_of_the_disks(drv, conn,
                                                                       request_for, root):
    request = request_for()
    _resize_on_this_host(drv, request)
    uuid_ = request.instance['uuid']
    conn.fail_start = 'QEMU could not start'
    with pytest.raises(virt.DriverError, match='QEMU could not start'):
        drv.finish_revert_migration(request, power_on=True)
    assert not (root / uuid_).exists()  # the revert set the disks aside again
    with pytest.raises(virt.DriverError, match=f'resize of instance {uuid_} cannot be '
                                               f'confirmed: its resized guest has no disks'):
        drv.confirm_migration(request.instance)
    assert (root / (uuid_ + '_resize') / 'disk').is_file()
    conn.fail_start = None
    drv.finish_revert_migration(request, power_on=True)  # the retried revert still works
    assert (root / uuid_ / 'disk').is_file()


def test_confirm_needs_the_guest_of_the_disks_on_this_host(drv, conn, request_for, root):
    request = request_for()
    _resize_on_this_host(drv, request)
    uuid_ = request.instance['uuid']
    conn.domains.pop(uuid_)
    with pytest.raises(virt.DriverError, match='has disks but no guest'):
        drv.confirm_migration(request.instance)
    assert (root / (uuid_ + '_resize') / 'disk').is_file()


def test_confirm_on_shared_storage_trusts_only_a_host_sharing_it(make_driver, request_for,
                                                                 root):
    source = make_driver('h1')
    request = request_for()
    uuid_ = request.instance['uuid']
    source.spawn(request)
    disk_info = source.migrate_disk_and_power_off(request.instance, 'h1')
    (root / uuid_).mkdir()
    shutil.copy(root / (uuid_ + '_resize') / 'disk', root / uuid_ / 'disk')
    (root / uuid_ / 'owner').write_text('h2\n')  # a host that does not use this directory
    with pytest.raises(virt.DriverError, match='owned by host h2, unknown to this host'):
        source.confirm_migration(request.instance)
    assert (root / (uuid_ + '_resize')).is_dir()
    make_driver('h2')  # now h2 uses the same instances path
    source.confirm_migration(request.instance)
    assert not (root / (uuid_ + '_resize')).exists() and disk_info


# --- whose domains ---------------------------------------------------------------------

def test_guests_of_another_deployment_are_not_ours(make_driver, request_for):
    ours, theirs = make_driver(prefix=PREFIX), make_driver(prefix=PREFIX + 'other-')
    mine, other = request_for(), request_for()
    ours.spawn(mine)
    theirs.spawn(other)
    assert set(ours.list_instances()) == {mine.instance['uuid']}
    assert set(theirs.list_instances()) == {other.instance['uuid']}
    ours.destroy(other.instance)
    assert theirs.get_info(other.instance['uuid']) != ours.get_info(other.instance['uuid'])
    assert other.instance['uuid'] in theirs.list_instances()


# --- snapshots and leftovers -----------------------------------------------------------

def test_a_snapshot_whose_guest_does_not_restart_leaves_no_file(drv, conn, request_for, root):
    request = request_for()
    drv.spawn(request)
    conn.fail_start = 'cannot restore'
    with pytest.raises(virt.DriverError, match='cannot restore'):
        drv.snapshot(request.instance)
    assert os.listdir(root / 'snapshots') == []


def test_a_new_agent_removes_its_own_leftovers_only(make_driver, root):
    make_driver('h1')
    leftovers = {'_base/img.0a1b2c3d@h1.part': False, '_base/img.0a1b2c3d@a.h1.part': True,
                 '_base/img': True, 'snapshots/u-0a1b2c3d@h1.qcow2': False,
                 'snapshots/u-0a1b2c3d@h2.qcow2': True}
    for name in leftovers:
        (root / name).write_bytes(b'')
    make_driver('h1')
    assert {name: (root / name).exists() for name in leftovers} == leftovers


# --- errors ----------------------------------------------------------------------------

def test_files_that_cannot_be_removed_are_logged_and_block_a_new_guest(drv, request_for, root,
                                                                      monkeypatch, caplog):
    request = request_for()
    uuid_ = request.instance['uuid']
    drv.spawn(request)
    unlink = os.unlink

    def refuse_disk(path, *args, **kwargs):
        if os.path.basename(path) == 'disk':
            raise PermissionError(1, 'Operation not permitted')
        return unlink(path, *args, **kwargs)
    monkeypatch.setattr(os, 'unlink', refuse_disk)
    with caplog.at_level(logging.ERROR):
        drv.destroy(request.instance)
    assert f'Could not remove {root / uuid_ / "disk"} of instance {uuid_}' in caplog.text
    assert (root / uuid_ / 'disk').exists()
    with pytest.raises(virt.DriverError) as failed:
        drv.spawn(request)
    assert str(failed.value) == f'Host h1 could not remove the old files of instance {uuid_}.'
    monkeypatch.setattr(os, 'unlink', unlink)
    drv.destroy(request.instance)
    assert not (root / uuid_).exists()
    drv.destroy(request.instance)  # gone already: still a success


def test_a_fault_names_the_owner_host_not_its_paths(drv, request_for, root):
    request = request_for()
    uuid_ = request.instance['uuid']
    (root / uuid_).mkdir()
    (root / uuid_ / 'owner').write_text('h2\n')
    with pytest.raises(virt.DriverError) as failed:
        drv.spawn(request)
    assert str(failed.value) == f'The files of instance {uuid_} belong to host h2.'
    assert (root / uuid_ / 'owner').read_text() == 'h2\n'
