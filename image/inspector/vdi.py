"""VDI (VirtualBox): version 1.1, normal or fixed, with no parent.

From qemu's ``block/vdi.c`` (VirtualBox publishes no specification): a
64-byte text banner, the signature ``0xbeda107f`` and version, then a
little-endian header giving the image type, the offsets of the block
map and of the data, the disk size and the block geometry.  A
differencing VDI links to a parent by UUID; such images, and headers
whose offsets or sizes do not fit the file, are refused.
"""
import struct
import typing

from image.inspector.errors import ImageRejected

NAME = 'vdi'
SIGNATURE = 0xbeda107f
SECTOR = 512

_SIGNATURE_OFFSET = 64
_PRE_HEADER_SIZE = 72
_HEADER = struct.Struct('<IIIII256sIIIIIIIQIIII16s16s16s16s')
_VERSION_1_1 = 0x00010001
_NORMAL, _FIXED = 1, 2
# qemu accepts only VirtualBox's block size, with no extra data per block.
_BLOCK_SIZE = 1024 * 1024
_NULL_UUID = bytes(16)


class _Header(typing.NamedTuple):
    signature: int
    version: int
    header_size: int
    image_type: int
    flags: int
    description: bytes
    bmap_offset: int
    data_offset: int
    cylinders: int
    heads: int
    sectors: int
    sector_size: int
    unused: int
    disk_size: int
    block_size: int
    block_extra: int
    blocks_in_image: int
    blocks_allocated: int
    uuid_image: bytes
    uuid_last_snapshot: bytes
    uuid_link: bytes
    uuid_parent: bytes


def matches(reader):
    """True when the VDI signature follows the 64-byte banner."""
    data = reader.peek(_SIGNATURE_OFFSET, 4)
    return len(data) == 4 and struct.unpack('<I', data)[0] == SIGNATURE


def inspect(reader):
    """Check a VDI and return its virtual size in bytes.

    :raises ImageRejected: for a differencing or undo image, an
        unsupported version or geometry, or offsets outside the file
    """
    header = _Header(*_HEADER.unpack(reader.read(_SIGNATURE_OFFSET, _HEADER.size, 'VDI header')))
    if header.version != _VERSION_1_1:
        raise ImageRejected(f'VDI version {header.version >> 16}.{header.version & 0xffff} '
                            'is not supported (only 1.1 is)')
    if header.uuid_link != _NULL_UUID or header.uuid_parent != _NULL_UUID:
        raise ImageRejected('differencing VDI images need a parent disk and are not allowed')
    if header.image_type not in (_NORMAL, _FIXED):
        raise ImageRejected(f'the VDI image type {header.image_type} is not supported '
                            '(only normal and fixed images are)')
    if header.sector_size != SECTOR or header.block_size != _BLOCK_SIZE or header.block_extra:
        raise ImageRejected('the VDI sector or block size is not supported (512-byte sectors '
                            'and 1 MiB blocks are)')
    _check_layout(reader, header)
    # VBoxManage can write sizes that are not whole sectors; like qemu,
    # the guest sees only the whole sectors.
    return header.disk_size // SECTOR * SECTOR


def _check_layout(reader, header):
    """The block map and the allocated blocks must fit in the file."""
    if header.bmap_offset % SECTOR or header.data_offset % SECTOR:
        raise ImageRejected('the VDI block map or data offset is not sector-aligned')
    if header.disk_size > header.blocks_in_image * header.block_size:
        raise ImageRejected(f'the VDI declares {header.disk_size} bytes but has only '
                            f'{header.blocks_in_image} blocks of {header.block_size} bytes')
    if header.blocks_allocated > header.blocks_in_image:
        raise ImageRejected('the VDI declares more allocated blocks than it has')
    map_end = header.bmap_offset + header.blocks_in_image * 4
    if header.bmap_offset < _PRE_HEADER_SIZE + header.header_size or map_end > header.data_offset:
        raise ImageRejected('the VDI block map overlaps the header or the data')
    reader.require(header.bmap_offset, map_end - header.bmap_offset, 'VDI block map')
    reader.require(header.data_offset, header.blocks_allocated * header.block_size,
                   'VDI data area')
