"""The domain XML of a guest: what libvirt is told, read back with ElementTree."""
import xml.etree.ElementTree as ET

from compute.agent.drivers.libvirt import guest_config
from compute.agent.drivers.libvirt import vifs

UUID = '6f1c2a8e-4b7d-4c1e-9a55-0d3f7e2b9c41'
INSTANCE = {'uuid': UUID, 'name': 'web-1', 'project_id': 'p1', 'user_id': 'u1',
            'flavor': {'id': 'f1', 'name': 'm1.tiny', 'vcpus': 2, 'ram': 512, 'disk': 1,
                       'ephemeral': 0, 'swap': 0}}
VIFS = tuple(vifs.from_network_info([
    {'port_id': '0a1b2c3d-4e5f-6789-abcd-ef0123456789', 'network_id': 'net-1234567890abc',
     'mac': 'fa:16:3e:11:22:33'},
    {'port_id': 'ffffffff-0000', 'network_id': 'n2', 'mac': 'fa:16:3e:44:55:66',
     'bridge': 'br-custom'}]))


def _spec(**changes):
    fields = dict(
        instance=INSTANCE, name='instance-' + UUID, virt_type='qemu', vcpus=2, memory_mb=512,
        disks=(guest_config.DiskSpec('/i/disk', 'qcow2', 'vda'),
               guest_config.DiskSpec('/i/disk.config', 'raw', 'vdb', readonly=True)),
        vifs=VIFS, console_log='/i/console.log', kernel='/i/kernel', ramdisk='/i/ramdisk',
        cmdline=None)
    fields.update(changes)
    return guest_config.GuestSpec(**fields)


def _xml(**changes):
    return ET.fromstring(guest_config.domain_xml(_spec(**changes)))


def test_identity_sizes_and_platform():
    domain = _xml()
    assert domain.get('type') == 'qemu'
    assert domain.findtext('name') == 'instance-' + UUID
    assert domain.findtext('uuid') == UUID
    assert domain.find('memory').get('unit') == 'MiB' and domain.findtext('memory') == '512'
    assert domain.findtext('vcpu') == '2'
    assert domain.find('features/acpi') is not None and domain.find('features/apic') is not None
    entries = {e.get('name'): e.text for e in domain.iterfind('sysinfo/system/entry')}
    assert entries['product'] == 'OpenStack Compute' and entries['serial'] == UUID


def test_cpu_model_follows_the_virt_type():
    assert _xml(virt_type='qemu').find('cpu') is None  # TCG: QEMU's own model
    assert _xml(virt_type='kvm').find('cpu').get('mode') == 'host-model'


def test_direct_kernel_boot_with_the_default_command_line():
    os_element = _xml().find('os')
    assert os_element.findtext('kernel') == '/i/kernel'
    assert os_element.findtext('initrd') == '/i/ramdisk'
    assert os_element.findtext('cmdline') == 'root=/dev/vda console=ttyS0'
    assert os_element.find('boot') is None
    assert _xml(cmdline='root=/dev/vda rw').find('os').findtext('cmdline') == 'root=/dev/vda rw'


def test_disk_boot_without_a_kernel():
    os_element = _xml(kernel=None, ramdisk=None).find('os')
    assert os_element.find('kernel') is None and os_element.find('cmdline') is None
    assert os_element.find('boot').get('dev') == 'hd'


def test_disks_are_virtio_and_the_config_drive_read_only():
    disks = _xml().findall('devices/disk')
    assert [(d.find('source').get('file'), d.find('driver').get('type'),
             d.find('target').get('dev'), d.find('target').get('bus'),
             d.find('readonly') is not None) for d in disks] == [
        ('/i/disk', 'qcow2', 'vda', 'virtio', False),
        ('/i/disk.config', 'raw', 'vdb', 'virtio', True)]


def test_one_unmanaged_tap_per_port_in_order():
    interfaces = _xml().findall('devices/interface')
    assert [(i.get('type'), i.find('mac').get('address'), i.find('target').get('dev'),
             i.find('target').get('managed'), i.find('model').get('type'))
            for i in interfaces] == [
        ('ethernet', 'fa:16:3e:11:22:33', 'tap0a1b2c3d-4e', 'no', 'virtio'),
        ('ethernet', 'fa:16:3e:44:55:66', 'tapffffffff-00', 'no', 'virtio')]


def test_serial_console_logged_and_vnc_on_localhost():
    devices = _xml().find('devices')
    serial = devices.find('serial')
    assert serial.get('type') == 'pty'
    assert serial.find('log').get('file') == '/i/console.log'
    assert devices.find('console/target').get('type') == 'serial'
    graphics = devices.find('graphics')
    assert (graphics.get('type'), graphics.get('listen'), graphics.get('autoport')) == (
        'vnc', '127.0.0.1', 'yes')


def test_metadata_marks_the_domain_and_round_trips():
    text = guest_config.domain_xml(_spec())
    element = ET.fromstring(text).find(f'metadata/{{{guest_config.NS}}}instance')
    assert element is not None
    flavor = element.find(f'{{{guest_config.NS}}}flavor')
    assert (flavor.get('name'), flavor.get('ram')) == ('m1.tiny', '512')
    record = guest_config.parse_metadata(ET.tostring(element, encoding='unicode'))
    assert (record.uuid, record.name, record.vifs) == (UUID, 'web-1', VIFS)


def test_metadata_as_libvirt_returns_it_without_namespace():
    record = guest_config.parse_metadata(
        f'<instance><uuid>{UUID}</uuid><name>web-1</name><ports><port id="p" network="n" '
        f'mac="m" tap="tapp" bridge="brqn"/></ports></instance>')
    assert record.uuid == UUID
    assert record.vifs == (vifs.Vif('p', 'n', 'm', 'tapp', 'brqn'),)
