"""The guest an instance directory describes: disks from the files present, boot from the image."""
from compute import conf as compute_conf
from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import instance_build
from compute.agent.drivers.libvirt import layout
from tests.unit import make_conf

FLAVOR = {'id': 'f1', 'name': 'm1', 'vcpus': 2, 'ram': 512, 'disk': 3, 'ephemeral': 1,
          'swap': 256}
INSTANCE = {'uuid': 'u-1', 'name': 'vm', 'flavor': FLAVOR}
PORT = {'port_id': 'p-1234567890abc', 'network_id': 'n-1', 'mac': 'fa:16:3e:00:00:01'}


def _files(tmp_path, *names):
    files = layout.InstancesPath(str(tmp_path), 'h1').instance('u-1')
    (tmp_path / 'u-1').mkdir()
    for name in names:
        (tmp_path / 'u-1' / name).write_bytes(b'')
    return files


def _spec(tmp_path, files, image_meta):
    conf = make_conf(tmp_path, register=compute_conf.register_opts, libvirt__virt_type='qemu')
    request = virt.SpawnRequest(instance=INSTANCE, image_meta=image_meta, network_info=[PORT])
    return instance_build.guest_spec(files, request, conf.libvirt)


def test_flavor_sizes():
    assert instance_build.root_size(INSTANCE) == 3 * 1024 ** 3
    assert instance_build.ephemeral_size(INSTANCE) == 1024 ** 3
    assert instance_build.swap_size(INSTANCE) == 256 * 1024 ** 2
    assert instance_build.root_size({'flavor': {'disk': 0}}) == 0


def test_disks_follow_the_files_present(tmp_path):
    files = _files(tmp_path, 'disk', 'disk.swap', 'disk.config')
    spec = _spec(tmp_path, files, {'id': 'img'})
    assert [(d.path.rsplit('/', 1)[1], d.format, d.target, d.readonly) for d in spec.disks] == [
        ('disk', 'qcow2', 'vda', False), ('disk.swap', 'qcow2', 'vdb', False),
        ('disk.config', 'raw', 'vdc', True)]
    assert (spec.name, spec.virt_type, spec.vcpus, spec.memory_mb) == (
        'instance-u-1', 'qemu', 2, 512)
    assert [v.tap for v in spec.vifs] == ['tapp-123456789']
    assert spec.console_log == f'{tmp_path}/u-1/console.log'


def test_direct_kernel_boot_when_the_kernel_was_fetched(tmp_path):
    meta = {'id': 'img', 'properties': {'kernel_id': 'k', 'ramdisk_id': 'r',
                                        'os_command_line': 'root=/dev/vda rw console=ttyS0'}}
    files = _files(tmp_path, 'disk', 'kernel', 'ramdisk')
    spec = _spec(tmp_path, files, meta)
    assert (spec.kernel, spec.ramdisk, spec.cmdline) == (
        files.kernel, files.ramdisk, 'root=/dev/vda rw console=ttyS0')


def test_disk_boot_without_a_kernel(tmp_path):
    spec = _spec(tmp_path, _files(tmp_path, 'disk'), {'id': 'img'})
    assert (spec.kernel, spec.ramdisk, spec.cmdline) == (None, None, None)
