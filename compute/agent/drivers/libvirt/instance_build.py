"""An instance's files on this host, made for a spawn or a resize, and its ``GuestSpec``.

The files of an instance directory (``layout.InstanceFiles``) are the
truth about its disks: the domain XML is derived from the files present,
so a spawn, a resize and a revert build the guest the same way.

* root disk: a qcow2 overlay on the cached image, grown to the flavor's
  ``disk`` (0: the image's own size), never smaller than the image; or,
  for a server booted from a volume, that volume (``vda``, from the
  ``connection_info`` the conductor put in its block device), with no
  local root file at all;
* kernel and ramdisk (direct kernel boot, when the image has ``kernel_id``
  / ``ramdisk_id``): copied from the cache, so that the directory is
  self-contained except for the root disk's backing file;
* ephemeral disk (flavor ``ephemeral`` GiB): a blank, unformatted qcow2;
* swap disk (flavor ``swap`` MiB): a qcow2 holding a formatted swap area;
* config drive: the ISO9660 ``config-2`` image of
  ``compute.metadata.configdrive``, attached read-only as a virtio disk
  (not a CD-ROM: the guest then needs no ATA driver); the guest finds
  it by its label;
* other volumes the server was created with: after the local disks, with
  their volume id as serial, as an attach would plug them.
"""
import os
import shutil
import tempfile

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import disks
from compute.agent.drivers.libvirt import guest_config
from compute.agent.drivers.libvirt import layout
from compute.agent.drivers.libvirt import vifs
from compute.agent.drivers.libvirt import volumes
from compute.metadata import configdrive

_BACKING_FORMATS = ('raw', 'qcow2')
_COPIED_FOR_RESIZE = ('disk', 'disk.eph0', 'kernel', 'ramdisk', 'disk.config')


def _flavor(instance):
    return instance.get('flavor') or {}


def root_size(instance):
    """Bytes of the flavor's root disk; 0 means "the image's size"."""
    return int(_flavor(instance).get('disk') or 0) * disks.GiB


def ephemeral_size(instance):
    return int(_flavor(instance).get('ephemeral') or 0) * disks.GiB


def swap_size(instance):
    return int(_flavor(instance).get('swap') or 0) * disks.MiB


def image_properties(image_meta):
    """The free properties of ``image_meta`` (``compute.images.image_meta`` nests them)."""
    return image_meta.get('properties') or {}


def _check_base(base, image_meta):
    """``(format, virtual size)`` of the cached image ``base``, after safety checks.

    The probed format must be the one the image service recorded, and a
    base may not point at another file (backing or external data file).
    """
    image_id = image_meta['id']
    details = disks.info(base)
    found = details['format']
    if found not in _BACKING_FORMATS:
        raise DriverError(f'Image {image_id} is {found}; this driver boots raw and qcow2 '
                          f'images.')
    recorded = image_meta.get('disk_format')
    if recorded and recorded != found:
        raise DriverError(f'Image {image_id} is recorded as {recorded} but its data is '
                          f'{found}.')
    data_file = (details.get('format-specific') or {}).get('data', {}).get('data-file')
    if details.get('backing-filename') or data_file:
        raise DriverError(f'Image {image_id} refers to another file; it cannot be used.')
    return found, details['virtual-size']


def _volume_devices(request):
    """The block devices of ``request`` that are volumes, the boot volume first."""
    found = [bd for bd in request.block_devices if bd.get('destination_type') == 'volume']
    return sorted(found, key=lambda bd: bd.get('boot_index') != 0)


def boots_from_volume(request):
    return any(bd.get('boot_index') == 0 for bd in _volume_devices(request))


def _volume_disk(block_device, target):
    """The ``DiskSpec`` of a volume.  :raises DriverError: no usable ``connection_info``."""
    info = block_device.get('connection_info')
    if not info:
        raise DriverError(f'Volume {block_device.get("volume_id")} has no connection_info: '
                          f'it was not connected to this host.')
    path, fmt = volumes.volume_file(info)
    return guest_config.DiskSpec(path=path, format=fmt, target=target,
                                 serial=block_device.get('volume_id'))


def create_root_disk(files, cache, request):
    """The root disk of ``request``'s instance, over its cached image.

    :raises DriverError: no image, a bad image, or a flavor disk smaller
        than the image.
    """
    image_meta = request.image_meta
    if not image_meta.get('id'):
        raise DriverError('This driver boots servers from images only; booting from a '
                          'volume is not supported yet.')
    base = cache.fetch(image_meta['id'], request.fetch_image)
    backing_format, image_size = _check_base(base, image_meta)
    size = root_size(request.instance)
    if size and size < image_size:
        raise DriverError(f"Flavor's disk is too small for requested image. Flavor disk is "
                          f'{size} bytes, image is {image_size} bytes.')
    disks.create_overlay(files.root_disk, base, backing_format, size or None)


def fetch_kernel(files, cache, request):
    """Copy the image's kernel and ramdisk into the instance directory, if it has them."""
    properties = image_properties(request.image_meta)
    for image_id, path in ((properties.get('kernel_id'), files.kernel),
                           (properties.get('ramdisk_id'), files.ramdisk)):
        if image_id:
            layout.copy_private(cache.fetch(image_id, request.fetch_image), path)


def create_swap_disk(files, instance):
    if os.path.exists(files.swap_disk):
        os.remove(files.swap_disk)
    if swap_size(instance):
        disks.create_swap(files.swap_disk, swap_size(instance))


def create_config_drive(files, request):
    """The config drive, made in a private temporary directory, then moved in place.

    ``genisoimage`` creates its file with the process's umask; made there,
    the drive (user data, keys) is readable by no one else, even briefly.
    """
    staging = tempfile.mkdtemp(prefix='.config-drive-', dir=files.directory)
    try:
        path = os.path.join(staging, os.path.basename(files.config_drive))
        configdrive.build_config_drive(path, request.instance, request.network_info)
        os.chmod(path, layout.FILE_MODE)
        os.replace(path, files.config_drive)
    except configdrive.ConfigDriveError as exc:
        raise DriverError(str(exc)) from exc
    finally:
        shutil.rmtree(staging)


def create_files(files, cache, request, config_drive):
    """Every file a new guest of ``request`` needs, in the (existing) ``files.directory``.

    A server booted from a volume has no root disk file, but it still boots
    the kernel and ramdisk its image names (as Nova does for a volume made
    from a "uec" image: the volume holds only the root filesystem).
    """
    if not boots_from_volume(request):
        create_root_disk(files, cache, request)
    fetch_kernel(files, cache, request)
    if ephemeral_size(request.instance):
        disks.create_blank(files.ephemeral_disk, ephemeral_size(request.instance))
    create_swap_disk(files, request.instance)
    if config_drive:
        create_config_drive(files, request)


def copy_for_resize(source, dest):
    """Copy the disks set aside in ``source`` into the new ``dest`` directory.

    The root disk's copy keeps its backing file (the cached image); swap is
    made again for the new flavor, the console log starts anew.
    """
    for name in _COPIED_FOR_RESIZE:
        path = os.path.join(source.directory, name)
        if os.path.exists(path):
            layout.copy_private(path, os.path.join(dest.directory, name))


def resize_disks(files, request):
    """Grow the root and ephemeral disks to the (new) flavor of ``request``'s instance,
    remake swap.  A server booted from a volume has no root file to grow: its root
    disk is the volume, which the volume service resizes.

    :raises DriverError: a disk would shrink.
    """
    instance = request.instance
    if root_size(instance) and not boots_from_volume(request):
        disks.grow(files.root_disk, root_size(instance))
    if os.path.exists(files.ephemeral_disk):
        disks.grow(files.ephemeral_disk, ephemeral_size(instance))
    elif ephemeral_size(instance):
        disks.create_blank(files.ephemeral_disk, ephemeral_size(instance))
    create_swap_disk(files, instance)


def _target(index):
    return 'vd' + chr(ord('a') + index)


def _disk_specs(files, request):
    """The boot volume (if any), the local files present, then the other volumes."""
    volume_devices = _volume_devices(request)
    specs = []
    if boots_from_volume(request):
        specs.append(_volume_disk(volume_devices.pop(0), 'vda'))
    present = [(files.root_disk, 'qcow2', False), (files.ephemeral_disk, 'qcow2', False),
               (files.swap_disk, 'qcow2', False), (files.config_drive, 'raw', True)]
    for path, fmt, readonly in present:
        if os.path.exists(path):
            specs.append(guest_config.DiskSpec(path=path, format=fmt,
                                               target=_target(len(specs)), readonly=readonly))
    for block_device in volume_devices:
        specs.append(_volume_disk(block_device, _target(len(specs))))
    return tuple(specs)


def guest_spec(files, request, libvirt_conf):
    """The ``GuestSpec`` of ``request``'s instance over the files in ``files``.

    :param libvirt_conf: the ``[libvirt]`` options.
    """
    instance = request.instance
    flavor = _flavor(instance)
    properties = image_properties(request.image_meta)
    has_kernel = os.path.exists(files.kernel)
    return guest_config.GuestSpec(
        instance=instance, name=libvirt_conf.domain_name_prefix + instance['uuid'],
        virt_type=libvirt_conf.virt_type,
        vcpus=int(flavor.get('vcpus') or instance.get('vcpus') or 1),
        memory_mb=int(flavor.get('ram') or instance.get('memory_mb')),
        disks=_disk_specs(files, request),
        vifs=tuple(vifs.from_network_info(request.network_info)),
        console_log=files.console_log,
        kernel=files.kernel if has_kernel else None,
        ramdisk=files.ramdisk if has_kernel and os.path.exists(files.ramdisk) else None,
        cmdline=properties.get('os_command_line') if has_kernel else None)
