"""devstack/tools/build-guest-image: what it writes, when it rebuilds, and that
the image service accepts the three files with the formats stack.sh declares
(``aki``, ``ari``, ``qcow2``)."""
import hashlib
import os
import re
import shutil
import subprocess

from image.inspector import dispatcher
from tests.functional.guest import conftest

WANTED_MODULES = os.path.join(conftest.CHECKOUT, 'devstack', 'files', 'guest', 'modules')


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def initrd_file(image, name):
    """The content of ``name`` inside the image's initramfs."""
    archive = subprocess.run(['gzip', '-dc', image.ramdisk], check=True,
                             capture_output=True).stdout
    return subprocess.run(['cpio', '-i', '--quiet', '--to-stdout', name], input=archive,
                          check=True, capture_output=True).stdout.decode()


def module_name(path):
    return re.sub(r'\.ko.*$', '', os.path.basename(path)).replace('-', '_')


def test_manifest_describes_the_files(guest_image):
    manifest = guest_image.manifest
    kernel = f'/boot/vmlinuz-{manifest["kernel_version"]}'
    assert sha256(guest_image.kernel) == sha256(kernel)
    assert sha256(guest_image.kernel) == manifest['vmlinuz_sha256']
    assert sha256(guest_image.ramdisk) == manifest['initrd_sha256']
    assert sha256(guest_image.root_disk) == manifest['rootfs_sha256']
    assert {'root=/dev/vda', 'console=ttyS0'} <= set(manifest['command_line'].split())


def test_initramfs_loads_each_module_after_those_it_needs(guest_image):
    version = guest_image.manifest['kernel_version']
    with open(f'/lib/modules/{version}/modules.dep') as f:
        needs = {module_name(path): {module_name(dep) for dep in deps.split()}
                 for path, deps in (line.split(':', 1) for line in f)}
    loaded = [module_name(line) for line in initrd_file(guest_image, 'etc/modules.load').split()]

    for position, module in enumerate(loaded):
        assert needs[module] <= set(loaded[:position]), module
    with open(WANTED_MODULES) as f:
        wanted = {line.split('#')[0].strip() for line in f} - {''}
    assert wanted <= set(loaded)
    assert loaded == guest_image.manifest['modules'].split()


def test_a_second_run_changes_nothing(guest_image, build_guest_image):
    files = ('vmlinuz', 'initrd', 'rootfs.qcow2', 'manifest')
    before = {name: os.stat(os.path.join(guest_image.directory, name)).st_mtime_ns
              for name in files}

    result = build_guest_image(guest_image.directory)

    assert 'is up to date' in result.stdout
    assert before == {name: os.stat(os.path.join(guest_image.directory, name)).st_mtime_ns
                      for name in files}


def test_a_damaged_file_is_rebuilt(guest_image, build_guest_image):
    copy = conftest.make_public_dir('stratus-test-image-copy-')
    try:
        shutil.copytree(guest_image.directory, copy, dirs_exist_ok=True)
        with open(os.path.join(copy, 'initrd'), 'ab') as f:
            f.write(b'damage')

        result = build_guest_image(copy)

        assert 'Building the guest image' in result.stdout
        manifest = conftest.read_manifest(os.path.join(copy, 'manifest'))
        assert sha256(os.path.join(copy, 'initrd')) == manifest['initrd_sha256']
        assert not [name for name in os.listdir(copy) if name.startswith('.build')]
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def test_built_by_an_unprivileged_user_the_root_disk_belongs_to_root(guest_image):
    outdir = conftest.make_public_dir('stratus-test-image-nobody-')
    try:
        os.chown(outdir, 65534, 65534)
        result = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                                 conftest.BUILDER, outdir], capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        raw = os.path.join(outdir, 'rootfs.raw')
        subprocess.run(['qemu-img', 'convert', '-O', 'raw', os.path.join(outdir, 'rootfs.qcow2'),
                        raw], check=True)
        for path, mode in (('/root', '0700'), ('/etc/shadow', '0600'), ('/usr/sbin/dropbear',
                                                                        '0755')):
            stat = subprocess.run(['debugfs', '-R', f'stat {path}', raw], check=True,
                                  capture_output=True, text=True).stdout
            assert re.search(r'User:\s+0\s+Group:\s+0\b', stat), (path, stat)
            assert re.search(rf'Mode:\s+{mode}\b', stat), (path, stat)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def test_the_image_service_accepts_the_files(guest_image):
    assert dispatcher.inspect_file(guest_image.kernel, 'aki').format == 'raw'
    assert dispatcher.inspect_file(guest_image.ramdisk, 'ari').format == 'raw'
    root = dispatcher.inspect_file(guest_image.root_disk, 'qcow2')
    assert root.format == 'qcow2'
    assert root.virtual_size == 128 * 1024 ** 2
