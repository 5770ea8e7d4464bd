"""A server booted from a volume: the volume is ``vda`` of its domain, no local root disk.

The spawn runs the real ``LibvirtDriver`` against ``fake_libvirt`` with real
files, and the domain XML it defines is read back.
"""
import uuid
import xml.etree.ElementTree as ET

import pytest

from compute import conf as compute_conf
from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import driver as libvirt_driver
from compute.agent.drivers.libvirt import host as libvirt_host
from compute.agent.drivers.libvirt import instance_build
from compute.agent.drivers.libvirt import layout
from tests.unit import make_conf
from tests.unit.compute.agent.drivers.libvirt import fake_images
from tests.unit.compute.agent.drivers.libvirt import fake_libvirt

FLAVOR = {'id': 'f1', 'name': 'm1', 'vcpus': 1, 'ram': 128, 'disk': 0, 'ephemeral': 1,
          'swap': 0}
ROOT_VOLUME = '11111111-0000-4000-8000-000000000001'
DATA_VOLUME = '11111111-0000-4000-8000-000000000002'


def _volume(volume_id, boot_index, path, fmt='raw'):
    return {'source_type': 'volume', 'destination_type': 'volume', 'boot_index': boot_index,
            'volume_id': volume_id,
            'connection_info': {'driver_volume_type': 'file',
                                'data': {'device_path': path, 'format': fmt}}}


def _request(tmp_path, block_devices, image_meta=None, **spawn):
    fields = {'uuid': str(uuid.uuid4()), 'name': 'vm', 'flavor': FLAVOR, 'project_id': 'p1',
              'user_id': 'u1'}
    return virt.SpawnRequest(instance=fields, image_meta=image_meta or {},
                             block_devices=block_devices, **spawn)


@pytest.fixture
def conn(monkeypatch):
    connection = fake_libvirt.Connection()
    monkeypatch.setattr(libvirt_host.libvirt, 'open', lambda uri: connection)
    return connection


@pytest.fixture
def drv(conn, tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts,
                     agent__instances_path=str(tmp_path / 'instances'),
                     libvirt__virt_type='qemu', libvirt__connection_uri='qemu:///system',
                     libvirt__domain_name_prefix='stratus-unit-')
    return libvirt_driver.LibvirtDriver(conf, 'h1')


def _disks(domain_xml):
    return [(d.find('target').get('dev'), d.find('source').get('file'),
             d.find('driver').get('type'), d.findtext('serial'))
            for d in ET.fromstring(domain_xml).iterfind('devices/disk')]


def test_the_boot_volume_is_vda_and_other_volumes_follow_local_disks(drv, conn, tmp_path):
    root_path, data_path = str(tmp_path / 'volume-root'), str(tmp_path / 'volume-data')
    request = _request(tmp_path, [_volume(DATA_VOLUME, None, data_path, 'qcow2'),
                                  _volume(ROOT_VOLUME, 0, root_path)])
    drv.spawn(request)
    domain = conn.domains[request.instance['uuid']]
    directory = tmp_path / 'instances' / request.instance['uuid']
    assert _disks(domain.xml) == [
        ('vda', root_path, 'raw', ROOT_VOLUME),
        ('vdb', str(directory / 'disk.eph0'), 'qcow2', None),
        ('vdc', data_path, 'qcow2', DATA_VOLUME)]
    assert not (directory / 'disk').exists()
    root_disk = ET.fromstring(domain.xml).find('devices/disk')
    assert root_disk.find('driver').get('cache') == 'none'


def test_a_boot_volume_without_connection_info_fails_the_spawn(drv, conn, tmp_path):
    volume = _volume(ROOT_VOLUME, 0, '/unused')
    del volume['connection_info']
    request = _request(tmp_path, [volume])
    with pytest.raises(virt.DriverError, match='has no connection_info'):
        drv.spawn(request)
    assert conn.domains == {}


def test_only_file_volumes_can_be_booted(tmp_path):
    volume = _volume(ROOT_VOLUME, 0, '/dev/sdb')
    volume['connection_info']['driver_volume_type'] = 'iscsi'
    files = layout.InstancesPath(str(tmp_path), 'h1').instance('u-1')
    conf = make_conf(tmp_path, register=compute_conf.register_opts, libvirt__virt_type='qemu')
    with pytest.raises(virt.DriverError, match="'iscsi'"):
        instance_build.guest_spec(files, _request(tmp_path, [volume]), conf.libvirt)


def test_a_boot_volume_of_a_uec_image_boots_the_image_kernel_and_ramdisk(drv, conn, tmp_path):
    """The volume holds only the root filesystem; the kernel and ramdisk its image names
    are fetched as for a local boot."""
    meta = {'id': 'img', 'properties': {'kernel_id': 'k-1', 'ramdisk_id': 'r-1',
                                        'os_command_line': 'root=/dev/vda console=ttyS0'}}
    root_path = str(tmp_path / 'volume-root')
    request = _request(tmp_path, [_volume(ROOT_VOLUME, 0, root_path)], image_meta=meta,
                       fetch_image=fake_images.ImageService({'k-1': b'kernel',
                                                             'r-1': b'ramdisk'}))
    drv.spawn(request)
    os_element = ET.fromstring(conn.domains[request.instance['uuid']].xml).find('os')
    directory = tmp_path / 'instances' / request.instance['uuid']
    assert os_element.findtext('kernel') == str(directory / 'kernel')
    assert (directory / 'kernel').read_bytes() == b'kernel'
    assert (directory / 'ramdisk').read_bytes() == b'ramdisk'
    assert os_element.findtext('cmdline') == 'root=/dev/vda console=ttyS0'
    assert not (directory / 'disk').exists()


def _resize_on_this_host(drv, request, flavor):
    drv.spawn(request)
    disk_info = drv.migrate_disk_and_power_off(request.instance, 'h1')
    resized = virt.SpawnRequest(instance={**request.instance, 'flavor': flavor},
                                image_meta={}, block_devices=request.block_devices)
    drv.finish_migration(resized, disk_info, power_on=True)
    return resized


def test_a_volume_backed_server_is_resized_and_confirmed(drv, conn, tmp_path):
    root_path = str(tmp_path / 'volume-root')
    request = _request(tmp_path, [_volume(ROOT_VOLUME, 0, root_path)])
    # The flavor's disk says nothing of a volume root: there is no root file to grow.
    _resize_on_this_host(drv, request, {**FLAVOR, 'disk': 5, 'ephemeral': 2})
    uuid_ = request.instance['uuid']
    assert _disks(conn.domains[uuid_].xml)[0] == ('vda', root_path, 'raw', ROOT_VOLUME)
    assert not (tmp_path / 'instances' / uuid_ / 'disk').exists()
    drv.confirm_migration(request.instance)
    assert not (tmp_path / 'instances' / f'{uuid_}_resize').exists()


def test_a_volume_backed_server_is_resized_and_reverted(drv, conn, tmp_path):
    root_path = str(tmp_path / 'volume-root')
    request = _request(tmp_path, [_volume(ROOT_VOLUME, 0, root_path)])
    _resize_on_this_host(drv, request, {**FLAVOR, 'ephemeral': 2})
    drv.finish_revert_migration(request, power_on=True)
    uuid_ = request.instance['uuid']
    assert _disks(conn.domains[uuid_].xml)[0] == ('vda', root_path, 'raw', ROOT_VOLUME)
    assert not (tmp_path / 'instances' / f'{uuid_}_resize').exists()
