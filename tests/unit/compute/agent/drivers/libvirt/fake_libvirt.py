"""A stand-in for the libvirt daemon: connections and domains kept in memory.

libvirt is the process boundary of the driver's unit tests: the driver's
own code, the domain XML it writes and the files it makes (with the real
``qemu-img``) are the real ones; only the daemon is simulated.  A domain
answers ``metadata()`` with the ``<metadata>`` element of the XML it was
defined with, as libvirt does.
"""
import xml.etree.ElementTree as ET

import libvirt


def _error(code, message):
    error = libvirt.libvirtError(message)
    error.err = (code, 0, message, 0, None, None, None, 0, 0)
    return error


class Domain:

    def __init__(self, conn, xml):
        self._conn = conn
        self.xml = xml
        root = ET.fromstring(xml)
        self._name, self._uuid = root.findtext('name'), root.findtext('uuid')
        metadata = root.find('metadata')
        self._metadata = (ET.tostring(metadata[0], encoding='unicode')
                          if metadata is not None and len(metadata) else None)
        self.active = False
        self.saved = False
        self.fail_start = None  # a message: starting the guest fails with it
        self.resized = []  # blockResize calls

    def name(self):
        return self._name

    def UUIDString(self):
        return self._uuid

    def metadata(self, _type, _namespace):
        if self._metadata is None:
            raise _error(libvirt.VIR_ERR_NO_DOMAIN_METADATA, 'no metadata')
        return self._metadata

    def state(self):
        if self.active:
            return [libvirt.VIR_DOMAIN_RUNNING, 0]
        return [libvirt.VIR_DOMAIN_SHUTOFF, 0]

    def isActive(self):
        return int(self.active)

    def hasManagedSaveImage(self, _flags):
        return int(self.saved)

    def managedSaveRemove(self, _flags):
        self.saved = False

    def managedSave(self, _flags):
        self.active, self.saved = False, True

    def create(self):
        if self.fail_start or self._conn.fail_start:
            raise _error(libvirt.VIR_ERR_INTERNAL_ERROR, self.fail_start or self._conn.fail_start)
        self.active, self.saved = True, False

    def shutdown(self):
        self.active = False

    def destroy(self):
        self.active = False

    def XMLDesc(self, _flags=0):
        return self.xml

    def blockResize(self, disk, size, flags=0):
        """Recorded in ``resized`` as ``(target dev, size, flags)``."""
        if not self.active:
            raise _error(libvirt.VIR_ERR_OPERATION_INVALID, 'domain is not running')
        if disk not in [t.get('dev') for t in ET.fromstring(self.xml).iterfind(
                'devices/disk/target')]:
            raise _error(libvirt.VIR_ERR_INVALID_ARG, f'disk {disk} not found in domain')
        self.resized.append((disk, size, flags))

    def undefineFlags(self, _flags):
        self._conn.domains.pop(self._uuid, None)


class Connection:
    """``qemu:///system`` as the driver sees it; ``domains`` by uuid."""

    def __init__(self):
        self.domains = {}
        self.fail_start = None  # a message: every guest start fails with it

    def isAlive(self):
        return 1

    def defineXML(self, xml):
        domain = Domain(self, xml)
        self.domains[domain.UUIDString()] = domain
        return domain

    def lookupByUUIDString(self, uuid):
        try:
            return self.domains[uuid]
        except KeyError:
            raise _error(libvirt.VIR_ERR_NO_DOMAIN, f'no domain {uuid}') from None

    def listAllDomains(self, _flags=0):
        return list(self.domains.values())
