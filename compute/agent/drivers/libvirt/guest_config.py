"""The libvirt domain XML of a guest, from a ``GuestSpec``: pure, no libvirt, no I/O.

What goes in, and why:

* the instance uuid is the domain's ``<uuid>``; the name is
  ``<prefix><uuid>`` (``[libvirt] domain_name_prefix``, ``instance-`` as in
  Nova's names, unique without a database id);
* ``<metadata>`` holds a ``stratus:instance`` element (namespace ``NS``)
  with the instance, its flavor and its ports: it marks the domains this
  driver owns (a host may run other guests) and remembers which taps to
  re-create when the guest is started again;
* ``<features><acpi/><apic/>``: without ACPI a guest cannot be shut down
  gracefully;
* no ``<cpu>`` element for ``virt_type = qemu`` (QEMU's default model; TCG
  cannot pass the host CPU through), ``host-model`` for ``kvm``, as Nova's
  defaults;
* the serial console on a pty, logged by virtlogd to ``console_log``
  (os-getConsoleOutput reads that file), and VNC on 127.0.0.1;
* SMBIOS that names the platform as cloud-init's OpenStack detection
  expects (``OpenStack Compute``), with the instance uuid as serial.
"""
import dataclasses
import xml.etree.ElementTree as ET

from compute.agent.drivers.libvirt import vifs as vif_model

NS = 'https://stratus.dev/xmlns/libvirt/compute/1.0'
NS_PREFIX = 'stratus'
DEFAULT_CMDLINE = 'root=/dev/vda console=ttyS0'


@dataclasses.dataclass(frozen=True)
class DiskSpec:
    """One disk: a file of ``format`` shown to the guest as ``target`` (``vda`` …).

    :ivar serial: the volume id of a volume's disk (``None`` for local disks);
        a volume is opened without host cache, as a hot-plugged one is
        (``volumes.disk_xml``).
    """
    path: str
    format: str
    target: str
    readonly: bool = False
    serial: str | None = None


@dataclasses.dataclass(frozen=True)
class GuestSpec:
    """Everything the domain XML says.

    :ivar instance: the ``InstancePayload`` fields kept in the metadata
        (``uuid``, ``name``, ``project_id``, ``user_id``, ``flavor``).
    :ivar vifs: the ``vifs.Vif`` of each port, in ``network_info`` order.
    :ivar kernel: path of the kernel for a direct kernel boot, else ``None``
        (the guest boots from its first disk).
    """
    instance: dict
    name: str
    virt_type: str
    vcpus: int
    memory_mb: int
    disks: tuple
    vifs: tuple
    console_log: str
    kernel: str | None = None
    ramdisk: str | None = None
    cmdline: str | None = None


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _q(tag):
    return f'{{{NS}}}{tag}'


def metadata_element(spec):
    """The ``stratus:instance`` element of ``spec``."""
    instance = spec.instance
    root = ET.Element(_q('instance'))
    _sub(root, _q('uuid'), instance['uuid'])
    _sub(root, _q('name'), instance.get('name') or '')
    _sub(root, _q('project'), id=instance.get('project_id') or '')
    _sub(root, _q('user'), id=instance.get('user_id') or '')
    flavor = instance.get('flavor') or {}
    _sub(root, _q('flavor'), **{key: flavor.get(key) if flavor.get(key) is not None else ''
                                for key in ('id', 'name', 'vcpus', 'ram', 'disk', 'ephemeral',
                                            'swap')})
    ports = _sub(root, _q('ports'))
    for vif in spec.vifs:
        _sub(ports, _q('port'), id=vif.port_id, network=vif.network_id, mac=vif.mac,
             tap=vif.tap, bridge=vif.bridge)
    return root


def _os(domain, spec):
    os_element = _sub(domain, 'os')
    _sub(os_element, 'type', 'hvm')
    if spec.kernel:
        _sub(os_element, 'kernel', spec.kernel)
        if spec.ramdisk:
            _sub(os_element, 'initrd', spec.ramdisk)
        _sub(os_element, 'cmdline', spec.cmdline or DEFAULT_CMDLINE)
    else:
        _sub(os_element, 'boot', dev='hd')
    _sub(os_element, 'smbios', mode='sysinfo')


def _sysinfo(domain, spec):
    system = _sub(_sub(domain, 'sysinfo', type='smbios'), 'system')
    for name, value in (('manufacturer', 'Stratus'), ('product', 'OpenStack Compute'),
                        ('serial', spec.instance['uuid']), ('uuid', spec.instance['uuid']),
                        ('family', 'Virtual Machine')):
        _sub(system, 'entry', value, name=name)


def _devices(domain, spec):
    devices = _sub(domain, 'devices')
    for disk in spec.disks:
        element = _sub(devices, 'disk', type='file', device='disk')
        if disk.serial:
            _sub(element, 'driver', name='qemu', type=disk.format, cache='none')
        else:
            _sub(element, 'driver', name='qemu', type=disk.format)
        _sub(element, 'source', file=disk.path)
        _sub(element, 'target', dev=disk.target, bus='virtio')
        if disk.readonly:
            _sub(element, 'readonly')
        if disk.serial:
            _sub(element, 'serial', disk.serial)
    for vif in spec.vifs:
        element = _sub(devices, 'interface', type='ethernet')
        _sub(element, 'mac', address=vif.mac)
        _sub(element, 'target', dev=vif.tap, managed='no')
        _sub(element, 'model', type='virtio')
    serial = _sub(devices, 'serial', type='pty')
    _sub(serial, 'log', file=spec.console_log, append='on')
    _sub(serial, 'target', port=0)
    _sub(_sub(devices, 'console', type='pty'), 'target', type='serial', port=0)
    _sub(devices, 'graphics', type='vnc', autoport='yes', listen='127.0.0.1')
    _sub(devices, 'memballoon', model='virtio')


def domain_xml(spec):
    """The domain XML of ``spec``, as a string for ``virConnect.defineXML``."""
    ET.register_namespace(NS_PREFIX, NS)
    domain = ET.Element('domain', type=spec.virt_type)
    _sub(domain, 'name', spec.name)
    _sub(domain, 'uuid', spec.instance['uuid'])
    _sub(domain, 'title', spec.instance.get('name') or spec.instance['uuid'])
    _sub(domain, 'metadata').append(metadata_element(spec))
    _sub(domain, 'memory', spec.memory_mb, unit='MiB')
    _sub(domain, 'vcpu', spec.vcpus)
    _sysinfo(domain, spec)
    _os(domain, spec)
    features = _sub(domain, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')
    if spec.virt_type == 'kvm':
        _sub(domain, 'cpu', mode='host-model')
    _sub(domain, 'clock', offset='utc')
    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')
    _devices(domain, spec)
    return ET.tostring(domain, encoding='unicode')


@dataclasses.dataclass(frozen=True)
class DomainRecord:
    """What a domain's ``stratus:instance`` metadata says."""
    uuid: str
    name: str
    vifs: tuple  # of vifs.Vif


def parse_metadata(xml_text):
    """The ``DomainRecord`` of a ``stratus:instance`` element.

    ``virDomain.metadata`` returns the element without its namespace, the
    domain XML with it: both are read, by the tags' local names.
    """
    root = ET.fromstring(xml_text)
    for element in root.iter():
        element.tag = element.tag.rpartition('}')[2]
    vifs = tuple(vif_model.Vif(port_id=p.get('id'), network_id=p.get('network'),
                               mac=p.get('mac'), tap=p.get('tap'), bridge=p.get('bridge'))
                 for p in root.iter('port'))
    return DomainRecord(uuid=root.findtext('uuid'), name=root.findtext('name') or '',
                        vifs=vifs)
