"""Spawns that fail leave nothing behind; other guests of the host are not ours."""
import os
import shutil
import subprocess
import uuid

import pytest

from compute import states
from compute.agent.drivers import driver as virt
from tests.functional.compute.libvirt import helpers


@pytest.fixture
def request_for(guest_image, image_service, cleanup, drv):
    """``request_for(flavor=None, image_meta=None, ports=1)``: a spawn request to fail."""
    def make(flavor=None, image_meta=None, ports=1):
        instance = cleanup.guest(drv, helpers.make_instance(flavor))
        return virt.SpawnRequest(
            instance=instance, image_meta=image_meta or guest_image.image_meta(),
            network_info=[cleanup.port(helpers.make_port()) for _ in range(ports)],
            fetch_image=image_service)
    return make


def assert_nothing_left(drv, request, libvirt_conn, instances_path):
    uuid_ = request.instance['uuid']
    assert drv.get_info(uuid_) == states.NOSTATE
    assert uuid_ not in [d.UUIDString() for d in libvirt_conn.listAllDomains()]
    assert not os.path.exists(f'{instances_path}/{uuid_}')
    for port in request.network_info:
        assert not helpers.device_exists('tap' + port['port_id'][:11])


def test_a_flavor_disk_smaller_than_the_image(drv, request_for, image_service, libvirt_conn,
                                              instances_path):
    big_image = helpers.traversable_tempdir(helpers.PREFIX + 'libvirt-big-') + '/big.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', big_image, '2G'], check=True)
    image_id = str(uuid.uuid4())
    image_service.add(image_id, big_image)
    try:
        request = request_for(image_meta={'id': image_id, 'disk_format': 'qcow2'})
        with pytest.raises(virt.DriverError, match="Flavor's disk is too small for requested "
                                                   "image. Flavor disk is 1073741824 bytes, "
                                                   "image is 2147483648 bytes."):
            drv.spawn(request)
    finally:
        shutil.rmtree(os.path.dirname(big_image))
    assert_nothing_left(drv, request, libvirt_conn, instances_path)


def test_a_corrupted_download_is_not_cached(drv, request_for, guest_image, image_service,
                                            libvirt_conn, instances_path):
    image_id = str(uuid.uuid4())
    image_service.add(image_id, guest_image.files()[guest_image.root_id])
    image_service.corrupt.add(image_id)
    request = request_for(image_meta=guest_image.image_meta(id=image_id))
    with pytest.raises(virt.DriverError, match=f'The data of image {image_id} does not match '
                                               f'its sha512 hash'):
        drv.spawn(request)
    assert_nothing_left(drv, request, libvirt_conn, instances_path)
    assert not [name for name in os.listdir(f'{instances_path}/_base') if image_id in name]


def test_data_of_another_format_than_recorded(drv, request_for, guest_image, libvirt_conn,
                                              instances_path):
    request = request_for(image_meta=guest_image.image_meta(disk_format='raw'))
    with pytest.raises(virt.DriverError, match='is recorded as raw but its data is qcow2'):
        drv.spawn(request)
    assert_nothing_left(drv, request, libvirt_conn, instances_path)


def test_a_guest_qemu_cannot_start_is_removed_with_its_taps(drv, request_for, guest_image,
                                                            image_service, libvirt_conn,
                                                            instances_path):
    kernel_dir = helpers.traversable_tempdir(helpers.PREFIX + 'libvirt-kernel-')
    with open(f'{kernel_dir}/vmlinuz', 'wb') as f:
        f.write(b'this is not a kernel' * 100)
    kernel_id = str(uuid.uuid4())
    image_service.add(kernel_id, f'{kernel_dir}/vmlinuz')
    meta = guest_image.image_meta()
    meta['properties'] = dict(meta['properties'], kernel_id=kernel_id)
    request = request_for(image_meta=meta, ports=2)
    try:
        with pytest.raises(virt.DriverError, match='Starting instance .* failed'):
            drv.spawn(request)
    finally:
        shutil.rmtree(kernel_dir)
    assert_nothing_left(drv, request, libvirt_conn, instances_path)


def test_booting_without_an_image(drv, request_for, libvirt_conn, instances_path):
    request = request_for()
    request.image_meta = {}  # a server booted from a volume
    with pytest.raises(virt.DriverError, match='from images only'):
        drv.spawn(request)
    assert_nothing_left(drv, request, libvirt_conn, instances_path)


def test_a_second_spawn_of_a_guest_fails_and_keeps_the_first(drv, request_for):
    request = request_for(ports=0)
    drv.spawn(request)
    with pytest.raises(virt.DriverError, match='already has a guest on host h1'):
        drv.spawn(request)
    assert drv.get_info(request.instance['uuid']) == states.RUNNING
    drv.destroy(request.instance)


def test_guests_of_others_are_neither_listed_nor_touched(drv, libvirt_conn):
    foreign_uuid = str(uuid.uuid4())
    domain = libvirt_conn.defineXML(
        f"<domain type='qemu'><name>{helpers.PREFIX}foreign-{foreign_uuid[:8]}</name>"
        f"<uuid>{foreign_uuid}</uuid><memory unit='MiB'>32</memory>"
        f"<os><type>hvm</type></os></domain>")
    try:
        assert foreign_uuid not in drv.list_instances()
        assert drv.get_info(foreign_uuid) == states.NOSTATE
        with pytest.raises(virt.InstanceNotFound):
            drv.power_on({'uuid': foreign_uuid})
        drv.destroy({'uuid': foreign_uuid})
        assert libvirt_conn.lookupByUUIDString(foreign_uuid).name() == domain.name()
    finally:
        domain.undefine()


def test_host_resources(drv, libvirt_conn, instances_path):
    resources = drv.host_resources()
    assert resources.vcpus == libvirt_conn.getInfo()[2] == os.cpu_count()
    with open('/proc/meminfo') as f:
        total_kib = int(f.readline().split()[1])
    assert resources.memory_mb == total_kib // 1024
    disk = os.statvfs(instances_path)
    assert resources.local_gb == disk.f_blocks * disk.f_frsize // 1024 ** 3 > 0
    assert resources.hypervisor_type == 'QEMU'
    major, minor, release = (int(n) for n in _qemu_version())
    assert resources.hypervisor_version == major * 1_000_000 + minor * 1000 + release
    assert resources.cpu_arch == 'x86_64' and resources.hypervisor_hostname == 'h1'
    report = resources.as_report()
    # Alone on its instances path: its guests can be resized on this host only.
    assert report['capabilities'] == {'cpu_arch': 'x86_64', 'hypervisor_type': 'QEMU',
                                      'cross_host_resize': False}


def _qemu_version():
    out = subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True,
                         check=True).stdout
    return out.split()[3].split('.')[:3]
