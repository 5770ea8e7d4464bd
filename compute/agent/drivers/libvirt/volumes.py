"""Volumes plugged into a guest while it runs (or while it is off): the disk XML and
libvirt's hot plug.

A volume reaches the agent as Cinder-style ``connection_info``::

    {"driver_volume_type": "file",
     "data": {"device_path": "/srv/volumes/volume-<id>", "format": "raw" | "qcow2"}}

The volume service's file driver keeps volumes as files in a directory
every host mounts (CloudStack's primary storage), so "connecting" a volume
is naming its file.  The volume's id is the disk's ``<serial>``: the guest
finds it as ``/dev/disk/by-id/virtio-<first 20 characters>``, as with Nova.

A change is made to the running guest and to its persistent definition
together, so that the volume stays attached when the guest is stopped and
started again.
"""
import json
import os
import xml.etree.ElementTree as ET

import libvirt

from compute.agent.drivers import driver
from compute.agent.drivers.libvirt import commands

FILE_VOLUMES = 'file'
FORMATS = ('raw', 'qcow2')


def volume_file(connection_info):
    """``(path, format)`` of a file volume.  :raises DriverError: another kind."""
    kind = (connection_info or {}).get('driver_volume_type')
    data = (connection_info or {}).get('data') or {}
    path = data.get('device_path')
    fmt = data.get('format', 'raw')
    if kind != FILE_VOLUMES or not path or fmt not in FORMATS:
        raise driver.DriverError(f'Volumes of type {kind!r} (format {fmt!r}) cannot be '
                                 f'attached on this host: it takes "file" volumes, raw or '
                                 f'qcow2.')
    return path, fmt


def disk_xml(connection_info, target, serial):
    """The ``<disk>`` of a volume shown to the guest as ``target`` (``vdb`` …)."""
    path, fmt = volume_file(connection_info)
    disk = ET.Element('disk', type='file', device='disk')
    ET.SubElement(disk, 'driver', name='qemu', type=fmt, cache='none')
    ET.SubElement(disk, 'source', file=path)
    ET.SubElement(disk, 'target', dev=target, bus='virtio')
    ET.SubElement(disk, 'serial').text = serial
    return ET.tostring(disk, encoding='unicode')


def targets_in_use(domain_xml):
    """The ``target dev`` of every disk of a domain."""
    root = ET.fromstring(domain_xml)
    return [t.get('dev') for t in root.iterfind('devices/disk/target')]


def next_target(domain_xml):
    """The first free ``vdX`` of a domain."""
    used = set(targets_in_use(domain_xml))
    for letter in 'bcdefghijklmnopqrstuvwxyz':
        if f'vd{letter}' not in used:
            return f'vd{letter}'
    raise driver.DriverError('The guest has no free disk slot left.')


def target_of(mountpoint):
    """``/dev/vdc`` -> ``vdc``; ``None`` stays ``None`` (the driver picks)."""
    return mountpoint.rsplit('/', 1)[-1] if mountpoint else None


def _disk_with_serial(domain_xml, serial):
    """The ``<disk>`` element whose ``<serial>`` is ``serial``, or ``None``."""
    for disk in ET.fromstring(domain_xml).iterfind('devices/disk'):
        if disk.findtext('serial') == serial:
            return disk
    return None


def attach(domain, connection_info, serial, mountpoint=None):
    """Plug the volume in; :returns: its device (``/dev/vdb``).  Repeating it is harmless.

    :raises DriverError: the volume is not a file volume, the device name
        is taken, or libvirt refused.
    """
    current = domain.XMLDesc(0)
    plugged = _disk_with_serial(current, serial)
    if plugged is not None:
        return '/dev/' + plugged.find('target').get('dev')
    target = target_of(mountpoint) or next_target(current)
    if target in targets_in_use(current):
        raise driver.DriverError(f'Device /dev/{target} is already in use in the guest.')
    flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
    if domain.isActive():
        flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
    try:
        domain.attachDeviceFlags(disk_xml(connection_info, target, serial), flags)
    except libvirt.libvirtError as exc:
        raise driver.DriverError(f'Could not attach volume {serial}: '
                                 f'{exc.get_error_message()}') from exc
    return '/dev/' + target


def volume_size(path, fmt):
    """The size in bytes a volume file gives its guest: a raw file's length, a qcow2
    image's virtual size (read with ``-U``: the running guest holds its lock)."""
    if fmt == 'qcow2':
        return int(json.loads(commands.run(
            ['qemu-img', 'info', '--output=json', '-U', '-f', 'qcow2', path],
            f'Reading volume {path}'))['virtual-size'])
    return os.stat(path).st_size


def extend(domain, serial):
    """Tell a running guest the new size of volume ``serial``.

    The volume service has already grown the file; QEMU keeps the size it
    read when the disk was opened until told (``block_resize``), as with
    Nova's ``extend_volume``.  The size is the file's, so that the guest
    sees exactly what the volume holds.  A stopped guest reads the new
    size when it starts, so nothing is done for it.

    :returns: the size in bytes the running guest was given, or ``None``.
    :raises DriverError: the volume is not plugged into the running guest,
        its file cannot be read, or libvirt refused.
    """
    if not domain.isActive():
        return None
    disk = _disk_with_serial(domain.XMLDesc(0), serial)
    if disk is None:
        raise driver.DriverError(f'Volume {serial} is not attached to the running guest.')
    target = disk.find('target').get('dev')
    path, fmt = disk.find('source').get('file'), disk.find('driver').get('type', 'raw')
    try:
        size = volume_size(path, fmt)
    except OSError as exc:
        raise driver.DriverError(f'Could not read the size of volume {serial}: {exc}') from exc
    try:
        domain.blockResize(target, size, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
    except libvirt.libvirtError as exc:
        raise driver.DriverError(f'Could not extend volume {serial} ({target}) in the guest: '
                                 f'{exc.get_error_message()}') from exc
    return size


def detach(domain, serial):
    """Unplug the volume; succeeds when it is not plugged in.

    On a running guest the removal completes when the guest lets the device
    go (virtio hot unplug); the definition changes at once.

    :raises DriverError: libvirt refused.
    """
    live = _disk_with_serial(domain.XMLDesc(0), serial) if domain.isActive() else None
    persistent = _disk_with_serial(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), serial)
    flags = ((libvirt.VIR_DOMAIN_AFFECT_LIVE if live is not None else 0)
             | (libvirt.VIR_DOMAIN_AFFECT_CONFIG if persistent is not None else 0))
    if not flags:
        return
    try:
        domain.detachDeviceFlags(ET.tostring(live if live is not None else persistent,
                                             encoding='unicode'), flags)
    except libvirt.libvirtError as exc:
        raise driver.DriverError(f'Could not detach volume {serial}: '
                                 f'{exc.get_error_message()}') from exc
