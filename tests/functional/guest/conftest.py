"""Fixtures of the guest image tests: the image, built once per session with
devstack/tools/build-guest-image, and guests booted from it under the real
libvirt of this host (qemu:///system), on throw-away networks.

Nothing is skipped: no libvirt, or a missing tool, fails the tests. Every
domain, tap, bridge, namespace, server process and file made here is removed
when its test ends, also when it fails.
"""
import dataclasses
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

from tests.functional.guest import domains, network

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILDER = os.path.join(CHECKOUT, 'devstack', 'tools', 'build-guest-image')
TOOLS = ('qemu-img', 'genisoimage', 'dnsmasq', 'ip', 'ssh', 'ssh-keygen')
_BOOT_TIMES = []  # (test, what, wall seconds, guest uptime) for the summary


@dataclasses.dataclass(frozen=True)
class GuestImage:
    """The three files of the guest image and its manifest."""
    directory: str
    manifest: dict

    @property
    def kernel(self):
        return os.path.join(self.directory, 'vmlinuz')

    @property
    def ramdisk(self):
        return os.path.join(self.directory, 'initrd')

    @property
    def root_disk(self):
        return os.path.join(self.directory, 'rootfs.qcow2')

    @property
    def command_line(self):
        return self.manifest['command_line']


def make_public_dir(prefix):
    """A new directory under /tmp that QEMU (user libvirt-qemu) may traverse."""
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o755)
    return path


def read_manifest(path):
    with open(path) as f:
        return dict(line.rstrip('\n').split('=', 1) for line in f
                    if '=' in line and not line.startswith('#'))


@pytest.fixture(scope='session')
def host_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f'the guest tests need {", ".join(missing)} on this host '
                    '(devstack/stack.sh installs them)')


@pytest.fixture(scope='session')
def libvirt_conn():
    """A connection to qemu:///system; the tests fail if libvirt does not answer."""
    try:
        import libvirt
        conn = libvirt.open('qemu:///system')
    except Exception as error:  # ImportError or libvirtError: either way, no libvirt
        pytest.fail(f'libvirt is not answering on qemu:///system: {error} '
                    '(start it: virtlogd -d; libvirtd -d)')
    yield conn
    conn.close()


@pytest.fixture(scope='session')
def build_guest_image():
    """``build_guest_image(outdir)``: run the builder; its CompletedProcess."""
    def build(outdir):
        result = subprocess.run([BUILDER, outdir], capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            pytest.fail(f'build-guest-image failed (exit {result.returncode}):\n'
                        f'{result.stdout}{result.stderr}')
        return result
    return build


@pytest.fixture(scope='session')
def guest_image(build_guest_image):
    directory = make_public_dir('stratus-test-image-')
    try:
        build_guest_image(directory)
        yield GuestImage(directory, read_manifest(os.path.join(directory, 'manifest')))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def workdir():
    directory = make_public_dir('stratus-test-')
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def lan(workdir, host_tools):
    """A new :class:`network.Lan` (bridge and namespace made; DHCP not started).

    Tests ask for it before ``boot``, so that their guests are destroyed
    before the network they are plugged into.
    """
    lan = network.Lan(workdir)
    try:
        yield lan.create()
    finally:
        lan.close()


@pytest.fixture
def boot(libvirt_conn, guest_image, workdir, host_tools):
    """``boot(disk=True, **domain_xml options)``: start a guest; a :class:`domains.Guest`.

    ``disk=True`` gives the guest a qcow2 overlay of the image's root disk.
    """
    guests = []

    def boot(*, disk=True, **options):
        name = f'stratus-test-{uuid.uuid4().hex[:10]}'
        disk_path = None
        if disk:
            disk_path = os.path.join(workdir, f'{name}.qcow2')
            subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b',
                            guest_image.root_disk, disk_path], check=True)
        console_log = os.path.join(workdir, f'{name}.console.log')
        xml = domains.domain_xml(name, guest_image, console_log, disk=disk_path, **options)
        guest = domains.Guest(libvirt_conn, name, xml, console_log)
        guests.append(guest)
        return guest

    try:
        yield boot
    finally:
        for guest in guests:
            guest.destroy()


@pytest.fixture
def record_boot_time(request):
    """``record_boot_time(what, wall_seconds, console_text)``: for the session summary."""
    def record(what, wall, console):
        uptime = None
        for line in console.splitlines():
            if line.startswith('stratus: booted in '):
                uptime = float(line.split()[3])
        _BOOT_TIMES.append((request.node.name, what, wall, uptime))
    return record


def pytest_terminal_summary(terminalreporter):
    if not _BOOT_TIMES:
        return
    terminalreporter.section('guest boot times (start of the domain to the login banner)')
    for test, what, wall, uptime in _BOOT_TIMES:
        guest = f'{uptime:.1f} s guest uptime' if uptime is not None else 'guest uptime unknown'
        terminalreporter.write_line(f'{test}: {what}: {wall:.1f} s wall, {guest}')
