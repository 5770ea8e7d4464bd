"""Device and file names the driver derives from ids."""
import pytest

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import layout
from compute.agent.drivers.libvirt import vifs
from compute.metadata import content


def test_neutron_linuxbridge_device_names():
    port = {'port_id': '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
            'network_id': '9f8e7d6c-5b4a-3210-fedc-ba9876543210', 'mac': 'fa:16:3e:00:00:01'}
    vif, = vifs.from_network_info([port])
    assert (vif.tap, vif.bridge) == ('tap0a1b2c3d-4e', 'brq9f8e7d6c-5b')
    assert all(len(name) <= 15 for name in (vif.tap, vif.bridge))
    assert vifs.bridge_name(dict(port, bridge='br-ext')) == 'br-ext'


@pytest.mark.parametrize('bad', ['', '.', '..', '../etc', 'a/b', '.hidden', None, 'a b'])
def test_ids_that_cannot_name_a_file_are_refused(bad, tmp_path):
    with pytest.raises(DriverError, match='cannot name a file'):
        layout.InstancesPath(str(tmp_path), 'h1').instance(bad)


def test_instance_and_resize_directories(tmp_path):
    paths = layout.InstancesPath(str(tmp_path), 'h1')
    files = paths.instance('u-1')
    assert files.root_disk == f'{tmp_path}/u-1/disk'
    assert files.console_log == f'{tmp_path}/u-1/console.log'
    assert paths.resize('u-1').directory == f'{tmp_path}/u-1_resize'


def test_hosts_sharing_an_instances_path_see_each_other(tmp_path):
    one, two = (layout.InstancesPath(str(tmp_path), h) for h in ('h1', 'h2'))
    one.prepare()
    assert not one.shared_with('h2')
    two.prepare()
    assert one.shared_with('h2') and two.shared_with('h1')
    assert not layout.InstancesPath(str(tmp_path / 'other'), 'h3').shared_with('h1')


def test_an_instance_directory_names_its_owner(tmp_path):
    files = layout.InstancesPath(str(tmp_path), 'h1').instance('u-1')
    assert files.owner() == ''
    (tmp_path / 'u-1').mkdir()
    files.claim('h1')
    assert files.owner() == 'h1'


def test_the_metadata_names_links_as_the_agent_names_taps():
    port = {'port_id': '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
            'network_id': '9f8e7d6c-5b4a-3210-fedc-ba9876543210', 'mac': 'fa:16:3e:00:00:01',
            'ips': []}
    instance = {'uuid': 'u-1', 'name': 'vm', 'hostname': 'vm', 'project_id': 'p1'}
    link, = content.InstanceMetadata(instance, [port]).network_data()['links']
    vif, = vifs.from_network_info([port])
    assert link['id'] == vif.tap == 'tap0a1b2c3d-4e'
