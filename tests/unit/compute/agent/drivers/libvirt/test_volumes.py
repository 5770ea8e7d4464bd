"""The volume disk XML and device naming, without libvirt."""
import xml.etree.ElementTree as ET

import pytest

from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import volumes

FILE = {'driver_volume_type': 'file',
        'data': {'device_path': '/srv/volumes/volume-1', 'format': 'qcow2'}}
DOMAIN = ("<domain><devices><disk><target dev='vda'/></disk>"
          "<disk><target dev='vdb'/><serial>vol-b</serial></disk></devices></domain>")


def test_disk_xml_of_a_file_volume():
    disk = ET.fromstring(volumes.disk_xml(FILE, 'vdc', 'vol-1'))
    assert disk.get('device') == 'disk' and disk.get('type') == 'file'
    assert disk.find('driver').attrib == {'name': 'qemu', 'type': 'qcow2', 'cache': 'none'}
    assert disk.find('source').get('file') == '/srv/volumes/volume-1'
    assert disk.find('target').attrib == {'dev': 'vdc', 'bus': 'virtio'}
    assert disk.findtext('serial') == 'vol-1'


@pytest.mark.parametrize('info', [
    {'driver_volume_type': 'iscsi', 'data': {'device_path': '/dev/sdb'}},
    {'driver_volume_type': 'file', 'data': {}},
    {'driver_volume_type': 'file', 'data': {'device_path': '/x', 'format': 'vmdk'}},
    None])
def test_other_volumes_are_refused(info):
    with pytest.raises(virt.DriverError, match='cannot be attached'):
        volumes.volume_file(info)


def test_device_names():
    assert volumes.targets_in_use(DOMAIN) == ['vda', 'vdb']
    assert volumes.next_target(DOMAIN) == 'vdc'
    assert volumes.target_of('/dev/vdd') == 'vdd' and volumes.target_of(None) is None
    full = '<domain><devices>%s</devices></domain>' % ''.join(
        f"<disk><target dev='vd{c}'/></disk>" for c in 'abcdefghijklmnopqrstuvwxyz')
    with pytest.raises(virt.DriverError, match='no free disk slot'):
        volumes.next_target(full)
