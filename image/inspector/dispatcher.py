"""Decide what an upload really is, and whether it may become active.

Every structured format is probed on every upload, whatever the user
claims, because the attacks work by disagreement: a qcow2 with a backing
file uploaded as ``raw`` (OSSA-2024-002), or a qcow2 header hidden in an
ISO's system area.  The decisions, in order:

1. ``disk_format`` must be a Glance format this cloud accepts.
2. The file must not be empty.
3. At most one signature may match.  Structured formats are those with
   a header (:data:`_STRUCTURED`) plus the formats we only recognise in
   order to refuse them (:mod:`foreign`).  Partition tables and file
   systems are not formats but content, which is why a raw disk or an
   ISO with an MBR or GPT is a benign overlap; any two real signatures
   together are refused, because qemu could be made to see either one.
4. The detected format must be the claimed one; ``ami``, ``aki`` and
   ``ari`` are raw bytes.
5. The format's inspector checks the header and returns the virtual
   size, which must be above zero and at most :data:`MAX_VIRTUAL_SIZE`.
"""
import dataclasses

from image.inspector import foreign, iso, qcow2, vdi, vhd, vhdx, vmdk
from image.inspector.errors import ImageRejected
from image.inspector.reader import ImageReader

# The disk_format values of the Glance v2 API, in Glance's order.
SUPPORTED_DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi',
                          'iso', 'ploop')
RAW = 'raw'
# Amazon machine, kernel and ramdisk images are plain bytes.
_RAW_FORMATS = ('ami', 'aki', 'ari', RAW)
_UNSUPPORTED = {
    'ploop': 'disk_format ploop is not supported by this cloud; convert the image to qcow2 '
             'or raw',
}
# No guest disk is larger; a header claiming more is lying or hostile.
MAX_VIRTUAL_SIZE = 64 * 1024 ** 4

# Each module has NAME, matches(reader) and inspect(reader) -> bytes.
_STRUCTURED = (qcow2, vmdk, vhd, vhdx, vdi, iso)
_INSPECTORS = {module.NAME: module.inspect for module in _STRUCTURED}


@dataclasses.dataclass(frozen=True)
class Inspection:
    """What the inspector found in an accepted image.

    :ivar format: the detected format ('raw', 'qcow2', 'vmdk', 'vhd',
        'vhdx', 'vdi' or 'iso')
    :ivar virtual_size: the guest-visible disk size in bytes
    """
    format: str
    virtual_size: int


def inspect_file(path: str, disk_format: str) -> Inspection:
    """Inspect the complete upload at ``path`` against its ``disk_format``.

    Reads only the headers it needs (a few KiB, at most
    :data:`image.inspector.reader.READ_BUDGET`), never the whole file.

    :param path: the uploaded file
    :param disk_format: the disk_format the user declared
    :returns: an :class:`Inspection`
    :raises ImageRejected: with a reason the user can act on, when the
        image must not become active
    :raises OSError: when the file cannot be read
    """
    if not disk_format:
        raise ImageRejected('the image has no disk_format; set it before uploading data')
    if disk_format not in SUPPORTED_DISK_FORMATS:
        raise ImageRejected(f'disk_format {disk_format!r} is not one of '
                            f'{", ".join(SUPPORTED_DISK_FORMATS)}')
    if disk_format in _UNSUPPORTED:
        raise ImageRejected(_UNSUPPORTED[disk_format])
    with ImageReader.open(path) as reader:
        if reader.size == 0:
            raise ImageRejected('the image data is empty')
        detected = _detect(reader)
        expected = RAW if disk_format in _RAW_FORMATS else disk_format
        if detected != expected:
            raise ImageRejected(f'the data is {detected} but disk_format is {disk_format}')
        size = reader.size if detected == RAW else _INSPECTORS[detected](reader)
    if size <= 0:
        raise ImageRejected('the image declares a virtual size of zero')
    if size > MAX_VIRTUAL_SIZE:
        raise ImageRejected(f'the virtual size ({size} bytes) exceeds the maximum of '
                            f'{MAX_VIRTUAL_SIZE // 1024 ** 4} TiB')
    return Inspection(format=detected, virtual_size=size)


def _detect(reader):
    """Return the one format whose signature matches, or raw for none.

    :raises ImageRejected: when more than one signature matches
    """
    names = sorted({module.NAME for module in _STRUCTURED if module.matches(reader)}
                   | set(foreign.detect(reader)))
    if len(names) > 1:
        raise ImageRejected(f'the data matches more than one format ({", ".join(names)}); '
                            'one may be hidden inside the other')
    return names[0] if names else RAW
