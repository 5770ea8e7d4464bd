"""Test guests under real libvirt: plain domain XML and a handle on one domain.

The XML is what the libvirt virt driver is expected to produce for the
guest image, reduced to the essentials: software emulation (domain type
``qemu``), direct kernel boot, ACPI (without it there is no graceful
shutdown), the serial console written to a file, a virtio root disk, a
config drive as an IDE CD-ROM (Nova's choice on the ``pc`` machine) or as
a read-only virtio disk (Stratus's libvirt driver), and virtio NICs on
pre-made tap devices. Domains are transient: destroying one removes it
from libvirt.
"""
import re
import time
import xml.etree.ElementTree as ET

import libvirt


def domain_xml(name, image, console_log, *, disk=None, config_drive=None,
               config_drive_bus='ide', nics=(), memory_mib=128, extra_cmdline=''):
    """The XML of a guest booting ``image`` (a :class:`GuestImage`).

    :param disk: qcow2 root disk (vda), or None for no disk at all
    :param config_drive: ISO attached as a CD-ROM (``config_drive_bus='ide'``)
        or as a read-only second disk (``config_drive_bus='virtio'``), or None
    :param nics: ``(tap, mac)`` pairs, one virtio NIC each
    """
    domain = ET.Element('domain', type='qemu')
    ET.SubElement(domain, 'name').text = name
    ET.SubElement(domain, 'memory', unit='MiB').text = str(memory_mib)
    ET.SubElement(domain, 'vcpu').text = '1'
    os_ = ET.SubElement(domain, 'os')
    ET.SubElement(os_, 'type', arch='x86_64', machine='pc').text = 'hvm'
    ET.SubElement(os_, 'kernel').text = image.kernel
    ET.SubElement(os_, 'initrd').text = image.ramdisk
    ET.SubElement(os_, 'cmdline').text = f'{image.command_line} {extra_cmdline}'.strip()
    features = ET.SubElement(domain, 'features')
    ET.SubElement(features, 'acpi')
    ET.SubElement(features, 'apic')
    ET.SubElement(domain, 'on_poweroff').text = 'destroy'
    devices = ET.SubElement(domain, 'devices')
    if disk is not None:
        element = ET.SubElement(devices, 'disk', type='file', device='disk')
        ET.SubElement(element, 'driver', name='qemu', type='qcow2')
        ET.SubElement(element, 'source', file=disk)
        ET.SubElement(element, 'target', dev='vda', bus='virtio')
    if config_drive is not None:
        cdrom = config_drive_bus == 'ide'
        element = ET.SubElement(devices, 'disk', type='file',
                                device='cdrom' if cdrom else 'disk')
        ET.SubElement(element, 'driver', name='qemu', type='raw')
        ET.SubElement(element, 'source', file=config_drive)
        ET.SubElement(element, 'target', dev='hda' if cdrom else 'vdb', bus=config_drive_bus)
        ET.SubElement(element, 'readonly')
    for tap, mac in nics:
        element = ET.SubElement(devices, 'interface', type='ethernet')
        ET.SubElement(element, 'mac', address=mac)
        ET.SubElement(element, 'target', dev=tap, managed='no')
        ET.SubElement(element, 'model', type='virtio')
    serial = ET.SubElement(devices, 'serial', type='file')
    ET.SubElement(serial, 'source', path=console_log)
    ET.SubElement(serial, 'target', port='0')
    return ET.tostring(domain, encoding='unicode')


class Guest:
    """One running transient domain and its console log."""

    def __init__(self, conn, name, xml, console_log):
        self.name = name
        self.console_log = console_log
        self._conn = conn
        self.started = time.monotonic()
        self._domain = conn.createXML(xml, 0)

    def console(self):
        try:
            with open(self.console_log, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def wait_for_console(self, pattern, timeout):
        """The first match of ``pattern`` on the console, waiting up to ``timeout`` s.

        :returns: ``(match, seconds since the domain was started)``
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.console())
            if match:
                return match, time.monotonic() - self.started
            if time.monotonic() > deadline:
                raise AssertionError(f'{pattern!r} not on the console of {self.name} after '
                                     f'{timeout} s; the console ends with:\n'
                                     f'{self.console()[-3000:]}')
            time.sleep(0.2)

    def is_running(self):
        try:
            return bool(self._conn.lookupByName(self.name).isActive())
        except libvirt.libvirtError as error:
            if error.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return False
            raise

    def shutdown(self, timeout):
        """Press the ACPI power button; return the seconds until the guest is off."""
        start = time.monotonic()
        self._domain.shutdown()
        while self.is_running():
            if time.monotonic() - start > timeout:
                raise AssertionError(f'{self.name} still runs {timeout} s after an ACPI '
                                     f'shutdown; the console ends with:\n'
                                     f'{self.console()[-2000:]}')
            time.sleep(0.2)
        return time.monotonic() - start

    def reboot(self):
        """A graceful reboot: libvirt presses the ACPI power button and starts
        the guest again when it powers off."""
        self._domain.reboot(0)

    def destroy(self):
        """Pull the plug; nothing happens if the domain is already gone."""
        if self.is_running():
            try:
                self._domain.destroy()
            except libvirt.libvirtError as error:
                if error.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
