"""VHD (qemu's ``vpc``): fixed and dynamic disks, never differencing ones.

From Microsoft's "Virtual Hard Disk Image Format Specification": every
VHD ends with a 512-byte big-endian footer (cookie ``conectix``); a
dynamic disk also starts with a copy of it, followed by a ``cxsparse``
dynamic disk header that locates the block allocation table (BAT).  A
differencing disk names its parent file, so it is refused like a qcow2
backing file.

The virtual size follows qemu's rule, because qemu is what the guest
runs on: the CHS geometry gives the size, except for the creators known
to write an exact ``current_size`` (Hyper-V, disk2vhd, XenServer, qemu
with ``force_size``) and for the maximal geometry.
"""
import struct
import typing

from image.inspector.errors import ImageRejected

NAME = 'vhd'
COOKIE = b'conectix'
FOOTER_SIZE = 512
SECTOR = 512

_FOOTER = struct.Struct('>8sIIQI4sI4sQQHBBII16sB')
_DYNAMIC_HEADER = struct.Struct('>8sQQIII')
_DYNAMIC_COOKIE = b'cxsparse'
_DYNAMIC_HEADER_SIZE = 1024
_CHECKSUM_OFFSET = 64

_FIXED, _DYNAMIC, _DIFFERENCING = 2, 3, 4
# Creators whose current_size is the guest size (see qemu block/vpc.c).
_EXACT_SIZE_CREATORS = (b'win ', b'qem2', b'd2v ', b'CTXS', b'tap\0')
_MAX_GEOMETRY = 65535 * 16 * 255
# qemu refuses VHDs above 2040 GiB.
_MAX_SECTORS = 0xff000000


class _Footer(typing.NamedTuple):
    data_offset: int
    creator_app: bytes
    current_size: int
    cylinders: int
    heads: int
    sectors_per_track: int
    disk_type: int


def matches(reader):
    """True when a footer cookie is at the start (dynamic) or end (fixed)."""
    return (reader.peek(0, len(COOKIE)) == COOKIE
            or reader.peek(reader.size - FOOTER_SIZE, len(COOKIE)) == COOKIE)


def inspect(reader):
    """Check a VHD and return its virtual size in bytes.

    :raises ImageRejected: for a differencing disk, a bad checksum, or
        structures or sizes that do not fit the file
    """
    at_start = reader.peek(0, len(COOKIE)) == COOKIE
    footer = _read_footer(reader, 0 if at_start else reader.size - FOOTER_SIZE)
    if footer.disk_type == _DIFFERENCING:
        raise ImageRejected('differencing VHD images need a parent disk and are not allowed')
    if footer.disk_type not in (_FIXED, _DYNAMIC):
        raise ImageRejected(f'the VHD disk type {footer.disk_type} is invalid')
    size = _virtual_size(footer)
    if size > _MAX_SECTORS * SECTOR:
        raise ImageRejected(f'the VHD virtual size ({size} bytes) exceeds the VHD limit '
                            'of 2040 GiB')
    if footer.disk_type == _FIXED:
        if at_start:
            raise ImageRejected('the VHD footer at the start of the file describes a fixed disk')
        data = reader.size - FOOTER_SIZE
        if max(size, footer.current_size) > data:
            raise ImageRejected(f'the fixed VHD declares {max(size, footer.current_size)} bytes '
                                f'but the file holds only {data} bytes of data')
    else:
        _check_dynamic(reader, footer, size, at_start)
    return size


def _read_footer(reader, offset):
    data = reader.read(offset, FOOTER_SIZE, 'VHD footer')
    stored = struct.unpack_from('>I', data, _CHECKSUM_OFFSET)[0]
    unsummed = data[:_CHECKSUM_OFFSET] + bytes(4) + data[_CHECKSUM_OFFSET + 4:]
    if stored != ~sum(unsummed) & 0xffffffff:
        raise ImageRejected('the VHD footer checksum is wrong')
    fields = _FOOTER.unpack_from(data)
    return _Footer(data_offset=fields[3], creator_app=fields[5], current_size=fields[9],
                   cylinders=fields[10], heads=fields[11], sectors_per_track=fields[12],
                   disk_type=fields[13])


def _virtual_size(footer):
    chs_sectors = footer.cylinders * footer.heads * footer.sectors_per_track
    if footer.creator_app in _EXACT_SIZE_CREATORS or chs_sectors == _MAX_GEOMETRY:
        return footer.current_size // SECTOR * SECTOR
    return chs_sectors * SECTOR


def _check_dynamic(reader, footer, size, at_start):
    """A dynamic disk: both footer copies, its header and BAT in the file."""
    if not at_start:
        raise ImageRejected('the dynamic VHD does not start with a copy of its footer')
    last = _read_footer(reader, reader.size - FOOTER_SIZE)
    if last != footer:
        raise ImageRejected('the two copies of the VHD footer disagree (the file may be '
                            'truncated)')
    cookie, _data_offset, table_offset, _version, max_entries, block_size = \
        _DYNAMIC_HEADER.unpack_from(reader.read(footer.data_offset, _DYNAMIC_HEADER_SIZE,
                                                'VHD dynamic disk header'))
    if cookie != _DYNAMIC_COOKIE:
        raise ImageRejected('the VHD dynamic disk header is missing')
    if block_size < SECTOR or block_size & (block_size - 1):
        raise ImageRejected(f'the VHD block size ({block_size}) is invalid')
    if max_entries * block_size < size:
        raise ImageRejected(f'the VHD block table ({max_entries} blocks of {block_size} bytes) '
                            f'cannot hold the declared virtual size ({size} bytes)')
    reader.require(table_offset, max_entries * 4, 'VHD block allocation table')
