"""Cold resize with the real libvirt: on one host, and between two hosts sharing disks.

A marker written into the root disk (beyond the guest's 128 MiB file
system, so the guest never touches it) shows that the data moves with the
guest, and the disks set aside stay as they were until confirmed.
"""
import json
import os
import shutil
import subprocess

import pytest

from compute import states
from compute.agent.drivers import driver as virt
from tests.functional.compute.libvirt import helpers

GiB = 1024 ** 3
MARKER_OFFSET = '900M'
BIG = dict(helpers.FLAVOR, id='f-big', name='stratus-test-big', ram=384, disk=2, ephemeral=1)


def _virtual_size(path):
    out = subprocess.run(['qemu-img', 'info', '-U', '--output=json', path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)['virtual-size']


def _write_marker(path):
    subprocess.run(['qemu-io', '-f', 'qcow2', '-c', f'write -P 0x5a {MARKER_OFFSET} 64k', path],
                   check=True, capture_output=True)


def _has_marker(path):
    out = subprocess.run(['qemu-io', '-U', '-r', '-f', 'qcow2', '-c',
                          f'read -P 0x5a {MARKER_OFFSET} 64k', path],
                         check=True, capture_output=True, text=True).stdout
    return 'Pattern verification failed' not in out


@pytest.fixture(scope='module')
def server(drv, guest_image, image_service, cleanup):
    """``(old request, new request)`` of a running guest with a NIC, and its resize."""
    instance = cleanup.guest(drv, helpers.make_instance())
    port = cleanup.port(helpers.make_port())
    old = virt.SpawnRequest(instance=instance, image_meta=guest_image.image_meta(),
                            network_info=[port], fetch_image=image_service)
    new = virt.SpawnRequest(instance=dict(instance, flavor=BIG), image_meta=old.image_meta,
                            network_info=[port], fetch_image=image_service)
    drv.spawn(old)
    helpers.wait_for_console(drv, instance, helpers.BANNER)
    return old, new


def test_resize_on_one_host_revert_then_confirm(drv, server, instances_path, libvirt_conn):
    old, new = server
    uuid = old.instance['uuid']
    directory, aside = f'{instances_path}/{uuid}', f'{instances_path}/{uuid}_resize'
    tap = 'tap' + old.network_info[0]['port_id'][:11]

    disk_info = drv.migrate_disk_and_power_off(old.instance, 'h1')
    assert disk_info['resize_dir'] == aside and 'disk' in disk_info['files']
    assert json.loads(json.dumps(disk_info)) == disk_info
    assert drv.get_info(uuid) == states.NOSTATE and not os.path.exists(directory)
    assert not helpers.device_exists(tap)
    assert drv.migrate_disk_and_power_off(old.instance, 'h1') == disk_info  # a lost reply
    _write_marker(f'{aside}/disk')

    drv.finish_migration(new, disk_info, power_on=False)
    assert drv.get_info(uuid) == states.SHUTDOWN
    assert libvirt_conn.lookupByUUIDString(uuid).maxMemory() == 384 * 1024
    assert _virtual_size(f'{directory}/disk') == 2 * GiB
    assert _virtual_size(f'{directory}/disk.eph0') == GiB
    assert _has_marker(f'{directory}/disk')
    assert _virtual_size(f'{aside}/disk') == GiB  # the disks set aside are untouched

    drv.finish_revert_migration(old, power_on=True)
    assert drv.get_info(uuid) == states.RUNNING
    assert libvirt_conn.lookupByUUIDString(uuid).maxMemory() == 256 * 1024
    assert not os.path.exists(aside) and not os.path.exists(f'{directory}/disk.eph0')
    assert _virtual_size(f'{directory}/disk') == GiB and _has_marker(f'{directory}/disk')
    assert helpers.bridge_of(tap) == 'brq' + old.network_info[0]['network_id'][:11]
    helpers.wait_for_console(drv, old.instance, helpers.BANNER, count=2)
    drv.finish_revert_migration(old, power_on=True)  # a lost reply: nothing more to do

    disk_info = drv.migrate_disk_and_power_off(old.instance, 'h1')
    drv.finish_migration(new, disk_info, power_on=True)
    assert drv.get_info(uuid) == states.RUNNING
    drv.confirm_migration(new.instance)
    drv.confirm_migration(new.instance)  # idempotent
    assert not os.path.exists(aside)
    assert _has_marker(f'{directory}/disk')
    log = helpers.wait_for_console(drv, new.instance, helpers.BANNER)
    assert f"{new.instance['hostname']} ready" in log


def test_a_disk_that_would_shrink_fails_and_the_revert_still_works(drv, server,
                                                                   instances_path):
    old, new = server  # the guest runs with the big flavor now
    uuid = old.instance['uuid']
    disk_info = drv.migrate_disk_and_power_off(new.instance, 'h1')
    with pytest.raises(virt.DriverError, match='cannot shrink'):
        drv.finish_migration(old, disk_info, power_on=True)
    assert drv.get_info(uuid) == states.NOSTATE
    assert not os.path.exists(f'{instances_path}/{uuid}')
    assert not helpers.device_exists('tap' + old.network_info[0]['port_id'][:11])
    drv.finish_revert_migration(new, power_on=False)
    assert drv.get_info(uuid) == states.SHUTDOWN
    assert _virtual_size(f'{instances_path}/{uuid}/disk') == 2 * GiB


def test_another_host_needs_a_shared_instances_path(drv, server, make_driver,
                                                    instances_path):
    old, new = server  # ``new`` has the big flavor
    uuid = old.instance['uuid']
    before = drv.get_info(uuid)
    elsewhere = helpers.traversable_tempdir(helpers.PREFIX + 'libvirt-other-')
    try:
        make_driver('h-other', path=elsewhere)
        with pytest.raises(virt.DriverError, match='do not share an instances path'):
            drv.migrate_disk_and_power_off(new.instance, 'h-other')
    finally:
        shutil.rmtree(elsewhere)
    assert drv.get_info(uuid) == before  # left as it was

    assert not drv.host_resources().cross_host_resize
    h2 = make_driver('h2')  # same instances path: a shared mount
    assert drv.host_resources().cross_host_resize and h2.host_resources().cross_host_resize
    disk_info = drv.migrate_disk_and_power_off(new.instance, 'h2')
    assert disk_info['source_host'] == 'h1'
    shrunk = virt.SpawnRequest(instance=dict(new.instance, flavor=dict(BIG, ram=128)),
                               image_meta=new.image_meta, network_info=new.network_info,
                               fetch_image=new.fetch_image)
    h2.finish_migration(shrunk, disk_info, power_on=False)
    with open(f'{instances_path}/{uuid}/owner') as f:
        assert f.read().strip() == 'h2'
    drv.confirm_migration(new.instance)
    assert not os.path.exists(f'{instances_path}/{uuid}_resize')
    assert h2.get_info(uuid) == states.SHUTDOWN
    h2.destroy(new.instance)
    assert not os.path.exists(f'{instances_path}/{uuid}')
