"""One real guest through its life: spawn, pause, suspend, snapshot, power, reboot, destroy.

The tests run in order on the module's guest (a boot costs ~15 s of
emulation, so one guest serves them all); each leaves it running.
"""
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from compute import states
from compute.agent.drivers import driver as virt
from tests import file_modes
from tests.functional.compute.libvirt import helpers

FLAVOR = dict(helpers.FLAVOR, ephemeral=1, swap=64)


@pytest.fixture(scope='module')
def guest(drv, guest_image, image_service, cleanup):
    """``(instance, port)`` of a guest spawned with a NIC, a config drive, ephemeral and swap."""
    instance = cleanup.guest(drv, helpers.make_instance(FLAVOR))
    port = cleanup.port(helpers.make_port())
    drv.spawn(virt.SpawnRequest(instance=instance, image_meta=guest_image.image_meta(),
                                network_info=[port], fetch_image=image_service))
    return instance, port


def _qemu_img_info(path):
    return json.loads(subprocess.run(['qemu-img', 'info', '-U', '--output=json', path],
                                     capture_output=True, text=True, check=True).stdout)


def _boots(drv, instance):
    return drv.get_console_output(instance).count('Linux version')


def test_spawn_boots_the_image_to_its_banner(drv, guest, guest_image, image_service,
                                             libvirt_conn, instances_path):
    instance, port = guest
    assert drv.get_info(instance['uuid']) == states.RUNNING
    assert drv.list_instances()[instance['uuid']] == states.RUNNING
    # The hostname comes from the config drive, which the guest found by its label.
    log = helpers.wait_for_console(drv, instance, helpers.BANNER)
    assert f"{helpers.BANNER}{instance['hostname']} ready" in log
    assert 'metadata from the config drive' in log
    # Each image crossed the image service boundary once, into the cache.
    assert sorted(image_service.fetched) == sorted(guest_image.files())
    assert sorted(os.listdir(f'{instances_path}/_base')) == sorted(guest_image.files())

    domain = libvirt_conn.lookupByUUIDString(instance['uuid'])
    assert domain.name() == helpers.PREFIX + instance['uuid']
    xml = ET.fromstring(domain.XMLDesc())
    assert xml.get('type') == 'qemu'
    directory = f"{instances_path}/{instance['uuid']}"
    assert [(d.find('source').get('file'), d.find('target').get('dev'))
            for d in xml.iterfind('devices/disk')] == [
        (f'{directory}/disk', 'vda'), (f'{directory}/disk.eph0', 'vdb'),
        (f'{directory}/disk.swap', 'vdc'), (f'{directory}/disk.config', 'vdd')]
    root = _qemu_img_info(f'{directory}/disk')
    assert root['virtual-size'] == 1024 ** 3
    assert root['full-backing-filename'] == f'{instances_path}/_base/{guest_image.root_id}'
    assert root['backing-filename-format'] == 'qcow2'
    tap = 'tap' + port['port_id'][:11]
    assert xml.find('devices/interface/target').get('dev') == tap
    assert xml.find('devices/interface/mac').get('address') == port['mac']
    assert helpers.bridge_of(tap) == 'brq' + port['network_id'][:11]
    assert xml.find('devices/serial/log').get('file') == f'{directory}/console.log'
    assert xml.find('devices/graphics').get('listen') == '127.0.0.1'
    # QEMU read it all though only root may: libvirt gave the files to QEMU's user.
    tenant_files = {path: mode for path, mode in file_modes.modes(instances_path).items()
                    if path.startswith((instance['uuid'] + '/', '_base/'))}
    assert set(tenant_files.values()) == {0o600}, tenant_files
    assert {f"{instance['uuid']}/{name}" for name in (
        'disk', 'disk.config', 'kernel', 'ramdisk', 'console.log')} <= set(tenant_files)
    assert {path: mode for path, mode in file_modes.modes(instances_path).items()
            if mode != 0o600} == {'.': 0o711, '_base': 0o711, '_hosts': 0o711,
                                  'snapshots': 0o711, instance['uuid']: 0o711}


def test_a_second_guest_of_the_image_uses_the_cache(drv, guest, guest_image, image_service,
                                                    cleanup):
    fetched = list(image_service.fetched)
    other = cleanup.guest(drv, helpers.make_instance(config_drive=False))
    drv.spawn(virt.SpawnRequest(instance=other, image_meta=guest_image.image_meta(),
                                fetch_image=image_service))
    assert drv.get_info(other['uuid']) == states.RUNNING
    assert image_service.fetched == fetched
    assert drv.list_instances().keys() >= {other['uuid'], guest[0]['uuid']}
    drv.destroy(other)
    assert drv.get_info(guest[0]['uuid']) == states.RUNNING


def test_pause_and_unpause(drv, guest):
    instance, _ = guest
    drv.pause(instance)
    assert drv.get_info(instance['uuid']) == states.PAUSED_POWER
    drv.pause(instance)  # already paused: nothing to do
    drv.unpause(instance)
    assert drv.get_info(instance['uuid']) == states.RUNNING


def test_suspend_and_resume_keep_the_guest_memory(drv, guest, libvirt_conn):
    instance, _ = guest
    boots = _boots(drv, instance)
    drv.suspend(instance)
    assert drv.get_info(instance['uuid']) == states.SUSPENDED_POWER
    assert libvirt_conn.lookupByUUIDString(instance['uuid']).hasManagedSaveImage(0)
    assert drv.list_instances()[instance['uuid']] == states.SUSPENDED_POWER
    drv.resume(instance)
    assert drv.get_info(instance['uuid']) == states.RUNNING
    assert _boots(drv, instance) == boots  # restored, not booted again


def test_snapshot_is_a_standalone_qcow2_and_the_guest_runs_on(drv, guest):
    instance, _ = guest
    path = drv.snapshot(instance)
    try:
        info = _qemu_img_info(path)
        assert info['format'] == 'qcow2'
        assert 'backing-filename' not in info
        assert info['virtual-size'] == 1024 ** 3
        subprocess.run(['qemu-img', 'check', path], check=True, capture_output=True)
    finally:
        os.remove(path)
    assert drv.get_info(instance['uuid']) == states.RUNNING


def test_power_off_gracefully_then_on(drv, guest):
    instance, _ = guest
    started = time.monotonic()
    drv.power_off(instance)
    assert time.monotonic() - started < 25  # well inside the 30 s timeout: ACPI worked
    assert drv.get_info(instance['uuid']) == states.SHUTDOWN
    assert 'reboot: Power down' in drv.get_console_output(instance)
    drv.power_off(instance)  # idempotent
    drv.power_on(instance)
    assert drv.get_info(instance['uuid']) == states.RUNNING
    helpers.wait_for_console(drv, instance, helpers.BANNER, count=2)


def test_soft_reboot_goes_through_the_guest(drv, guest):
    instance, _ = guest
    drv.reboot(instance, 'SOFT')
    assert drv.get_info(instance['uuid']) == states.RUNNING
    log = helpers.wait_for_console(drv, instance, helpers.BANNER, count=3)
    assert log.count('reboot: Power down') == 2


def test_hard_reboot_then_a_power_off_the_guest_ignores(drv, guest, make_driver):
    instance, _ = guest
    boots = _boots(drv, instance)
    drv.reboot(instance, 'HARD')
    assert drv.get_info(instance['uuid']) == states.RUNNING
    helpers.wait_for_console(drv, instance, 'Linux version', count=boots + 1)
    # Still booting: nothing in the guest handles the power button yet, so
    # after the timeout the driver powers it off hard.
    impatient = make_driver(libvirt__shutdown_timeout=1)
    started = time.monotonic()
    impatient.power_off(instance)
    assert 1 <= time.monotonic() - started < 10
    assert drv.get_info(instance['uuid']) == states.SHUTDOWN
    drv.power_on(instance)
    helpers.wait_for_console(drv, instance, 'Linux version', count=boots + 2)


def test_a_missing_guest(drv):
    missing = helpers.make_instance()
    assert drv.get_info(missing['uuid']) == states.NOSTATE
    for call in (drv.power_on, drv.power_off, drv.pause, drv.suspend, drv.snapshot,
                 drv.get_console_output):
        with pytest.raises(virt.InstanceNotFound):
            call(missing)
    with pytest.raises(virt.InstanceNotFound):
        drv.reboot(missing, 'HARD')
    drv.destroy(missing)


def test_destroy_leaves_nothing(drv, guest, libvirt_conn, instances_path):
    instance, port = guest
    drv.destroy(instance)
    assert drv.get_info(instance['uuid']) == states.NOSTATE
    assert instance['uuid'] not in drv.list_instances()
    assert instance['uuid'] not in [d.UUIDString() for d in libvirt_conn.listAllDomains()]
    assert not os.path.exists(f"{instances_path}/{instance['uuid']}")
    assert not helpers.device_exists('tap' + port['port_id'][:11])
    assert os.listdir(f'{instances_path}/snapshots') == []
    drv.destroy(instance)  # idempotent
