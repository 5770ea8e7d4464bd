"""Deciding whether an image may become a volume, before qemu-img sees it.

The image service inspected the data when it was uploaded; it is
inspected again here, with the same inspector, because the volume host
is the one about to hand the file to qemu-img, and because what matters
is the ``disk_format`` the image carries now.  The inspector refuses
backing files, external data files, VMDK descriptors naming host files,
and data whose real format differs from ``disk_format`` (a qcow2 header
in a "raw" image is how OSSA-2024-002 reads host files).
"""
from image import inspector
from volume.agent.drivers import driver

GiB = 1024 ** 3
# qemu-img's name for each format the inspector detects; ISO images and
# Amazon's ami/aki/ari are plain bytes (the inspector reports them raw or iso).
QEMU_FORMATS = {'raw': 'raw', 'iso': 'raw', 'qcow2': 'qcow2', 'vmdk': 'vmdk', 'vhd': 'vpc',
                'vhdx': 'vhdx', 'vdi': 'vdi'}


def checked_source_format(image_path, disk_format, volume):
    """The qemu-img format to read the image at ``image_path`` as, once it passed.

    :param volume: the volume it is for (its ``size`` in GiB bounds the
        image's virtual size).
    :raises ImageUnacceptable: the inspector refused the data.
    :raises VolumeTooSmall: the image's virtual size exceeds the volume.
    :raises DriverError: the file cannot be read.
    """
    try:
        inspection = inspector.inspect_file(image_path, disk_format)
    except inspector.ImageRejected as exc:
        raise driver.ImageUnacceptable(exc.reason) from exc
    except OSError as exc:
        raise driver.DriverError(f'The image data at {image_path} cannot be read: '
                                 f'{exc.strerror or exc}.') from exc
    if inspection.virtual_size > volume['size'] * GiB:
        raise driver.VolumeTooSmall(
            f'The image has a virtual size of {inspection.virtual_size} bytes '
            f'({inspection.virtual_size / GiB:.2f} GiB) and does not fit in volume '
            f'{volume["id"]} of {volume["size"]} GiB.')
    return QEMU_FORMATS[inspection.format]
