"""Real guests on the running all-in-one (devstack/stack.sh with the libvirt driver).

The clouds come from clouds.yaml as for the compat tests (``./run_tests.sh
e2e`` runs devstack/stack.sh first when no all-in-one of this checkout
answers).  These tests run on the all-in-one's own machine: besides the
APIs they look at the hypervisor itself (``virsh``, the instances
directory), to prove that a deleted server leaves nothing behind.
"""
import configparser
import subprocess

import pytest

from tests.compat.conftest import GUEST_IMAGE, clouds_file, connect, unique_name  # noqa: F401

COMPUTE_CONF = '/etc/stratus/compute.conf'


@pytest.fixture(scope='module')
def member(connect):  # noqa: F811 (the fixture imported above)
    """openstacksdk as user demo (project demo)."""
    return connect('stratus')


@pytest.fixture(scope='session')
def compute_conf():
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(COMPUTE_CONF):
        pytest.fail(f'{COMPUTE_CONF} is missing: the e2e tests run on the all-in-one machine',
                    pytrace=False)
    if parser.get('agent', 'virt_driver', fallback='fake') != 'libvirt':
        pytest.fail(f'{COMPUTE_CONF}: [agent] virt_driver is not libvirt: the all-in-one runs '
                    f'no real guests', pytrace=False)
    return parser


class Hypervisor:
    """What is left of a server on this host: libvirt domains and instance files."""

    def __init__(self, conf):
        self.uri = conf.get('libvirt', 'connection_uri', fallback='qemu:///system')
        self.instances_path = conf.get('agent', 'instances_path')

    def virsh(self, *args):
        result = subprocess.run(['virsh', '-c', self.uri, *args], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, f'virsh {" ".join(args)}: {result.stderr}'
        return result.stdout

    def domain_uuids(self):
        return set(self.virsh('list', '--all', '--uuid').split())

    def domain_state(self, uuid):
        return self.virsh('domstate', uuid).strip()

    def domain_memory_kib(self, uuid):
        for line in self.virsh('dominfo', uuid).splitlines():
            if line.startswith('Max memory:'):
                return int(line.split()[2])
        raise AssertionError(f'virsh dominfo {uuid} shows no memory')


@pytest.fixture(scope='session')
def hypervisor(compute_conf):
    return Hypervisor(compute_conf)
