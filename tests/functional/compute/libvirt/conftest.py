"""Fixtures of the libvirt driver's tests: the real libvirt, a real guest image.

The driver runs against ``qemu:///system`` with ``virt_type = qemu``
(KVM hangs on these machines), its guests named ``stratus-test-<uuid>``
and its files in a fresh instances path.  The guest image is the one
``devstack/tools/build-guest-image`` builds (kernel, ramdisk, ext4 root
disk), built once per session; ``fetch_image`` copies it from there, at
the image service boundary.  Everything a test creates is removed by the
finalizers, failed test or not.  Nothing is skipped: without libvirt or
the image builder, the tests fail.
"""
import os
import shutil
import subprocess

import libvirt
import pytest

from compute import conf as compute_conf
from compute.agent.drivers import driver as virt
from tests.functional.compute.libvirt import helpers
from tests.unit import make_conf

URI = 'qemu:///system'
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 4))
BUILDER = os.path.join(REPO, 'devstack', 'tools', 'build-guest-image')


@pytest.fixture(scope='session')
def libvirt_conn():
    """A connection to the system libvirt; the tests fail if it does not answer."""
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError as exc:
        pytest.fail(f'libvirt at {URI} does not answer ({exc}); start virtlogd and libvirtd.')
    yield conn
    conn.close()


@pytest.fixture(scope='session')
def guest_image():
    """The guest image, built once per session by ``devstack/tools/build-guest-image``."""
    directory = helpers.traversable_tempdir(helpers.PREFIX + 'libvirt-image-')
    try:
        built = subprocess.run([BUILDER, directory], capture_output=True, text=True)
        if built.returncode != 0:
            pytest.fail(f'{BUILDER} failed:\n{built.stdout}{built.stderr}')
        with open(os.path.join(directory, 'manifest')) as f:
            manifest = dict(line.split('=', 1) for line in f.read().splitlines()
                            if '=' in line and not line.startswith('#'))
        yield helpers.GuestImage(directory, manifest['command_line'])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope='module')
def image_service(guest_image):
    return helpers.LocalImageService(guest_image.files())


@pytest.fixture(scope='module')
def instances_path():
    path = helpers.traversable_tempdir(helpers.PREFIX + 'libvirt-instances-')
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope='module')
def make_driver(libvirt_conn, instances_path, tmp_path_factory):
    """``make_driver(host='h1', path=<the module's instances path>, **options)``."""
    state_path = tmp_path_factory.mktemp('state')

    def make(host='h1', path=None, **options):
        settings = {'agent__instances_path': path or instances_path,
                    'libvirt__connection_uri': URI, 'libvirt__virt_type': 'qemu',
                    'libvirt__shutdown_timeout': 30,
                    'libvirt__domain_name_prefix': helpers.PREFIX, **options}
        conf = make_conf(state_path, register=compute_conf.register_opts, **settings)
        return virt.load_driver('libvirt', conf, host)
    return make


@pytest.fixture(scope='module')
def drv(make_driver):
    return make_driver()


class Cleanup:
    """What a module made that must go at its end: guests (with a driver) and bridges."""

    def __init__(self):
        self._guests = []
        self._devices = []

    def guest(self, driver, instance):
        self._guests.append((driver, instance))
        return instance

    def port(self, port):
        """Remove the tap and the bridge of ``port`` (a ``network_info`` entry)."""
        self._devices += ['tap' + port['port_id'][:11], 'brq' + port['network_id'][:11]]
        return port

    def run(self, conn):
        for driver, instance in self._guests:
            try:
                driver.destroy(instance)
            except Exception:  # the others must still be removed
                pass
            try:  # whatever the driver may have left behind
                domain = conn.lookupByUUIDString(instance['uuid'])
                if domain.isActive():
                    domain.destroy()
                domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
            except libvirt.libvirtError:
                pass
        for name in self._devices:
            if helpers.device_exists(name):
                subprocess.run(['ip', 'link', 'del', name], check=False)


@pytest.fixture(scope='module')
def cleanup(libvirt_conn):
    registry = Cleanup()
    yield registry
    registry.run(libvirt_conn)
