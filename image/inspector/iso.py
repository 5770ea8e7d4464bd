"""ISO 9660: the primary volume descriptor gives the volume size.

From ECMA-119: the first 16 sectors (32 KiB) are a "system area" free
for any use, then comes the volume descriptor set, one 2048-byte
descriptor per sector (type byte, ``CD001``, version), ended by a
terminator of type 255.  The primary volume descriptor (type 1) records
the volume space size in logical blocks and the logical block size, each
stored twice, little- then big-endian.

Because the system area is free-form, an uploader can put another
format's header there (os-test-images ``iso-with-qcow2-in-system``); the
dispatcher catches that because both signatures match.  A partition
table (isohybrid MBR or GPT) in the system area is ordinary content.
UDF discs without an ISO 9660 bridge (only ``BEA01``/``NSR0x``
descriptors) are detected but refused, since their size lives in UDF
structures this inspector does not parse.
"""
import struct

from image.inspector.errors import ImageRejected

NAME = 'iso'
SECTOR = 2048
SYSTEM_AREA = 16 * SECTOR
STANDARD_ID = b'CD001'

_UDF_IDS = (b'BEA01', b'NSR02', b'NSR03', b'TEA01')
_PRIMARY, _TERMINATOR = 1, 255
# A real descriptor set holds a few descriptors (primary, boot record,
# Joliet, terminator); a longer one is not worth reading.
_MAX_DESCRIPTORS = 64
_BLOCK_SIZES = (512, 1024, 2048)


def matches(reader):
    """True when an ISO 9660 or UDF descriptor follows the system area."""
    return reader.peek(SYSTEM_AREA + 1, 5) in (STANDARD_ID,) + _UDF_IDS


def inspect(reader):
    """Check an ISO 9660 image and return its volume size in bytes.

    :raises ImageRejected: for a UDF-only disc, a missing or invalid
        primary volume descriptor, or a volume larger than the file
    """
    primary = _find_primary(reader)
    blocks = _both_endian(primary, 80, '<I', '>I', 'volume space size')
    block_size = _both_endian(primary, 128, '<H', '>H', 'logical block size')
    if block_size not in _BLOCK_SIZES:
        raise ImageRejected(f'the ISO 9660 logical block size ({block_size}) is invalid')
    size = blocks * block_size
    if size > reader.size:
        raise ImageRejected(f'the ISO 9660 volume declares {size} bytes but the file has only '
                            f'{reader.size} bytes')
    return size


def _find_primary(reader):
    for index in range(_MAX_DESCRIPTORS):
        descriptor = reader.read(SYSTEM_AREA + index * SECTOR, SECTOR,
                                 'ISO 9660 volume descriptor')
        kind, identifier = descriptor[0], descriptor[1:6]
        if identifier in _UDF_IDS and index == 0:
            raise ImageRejected('UDF images without an ISO 9660 volume descriptor are not '
                                'supported; build the image with an ISO 9660 bridge')
        if identifier != STANDARD_ID:
            raise ImageRejected('the ISO 9660 volume descriptor set is broken')
        if kind == _PRIMARY:
            return descriptor
        if kind == _TERMINATOR:
            break
    raise ImageRejected('the ISO 9660 image has no primary volume descriptor')


def _both_endian(descriptor, offset, little, big, what):
    """Read a both-byte-order field; the two copies must agree."""
    width = struct.calcsize(little)
    low = struct.unpack_from(little, descriptor, offset)[0]
    high = struct.unpack_from(big, descriptor, offset + width)[0]
    if low != high:
        raise ImageRejected(f'the ISO 9660 {what} is recorded inconsistently ({low} and {high})')
    return low
