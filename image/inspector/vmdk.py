"""VMDK: only single-file sparse images whose data is in the file.

VMDK comes in many layouts, most of which are a text descriptor naming
other files (``monolithicFlat``, split and VMFS disks).  Those let an
uploader make qemu read any host file (OSSA-2023-002, OSSA-2024-002), so
the only accepted forms are the hosted sparse extent (``KDMV`` header,
``monolithicSparse`` and ``streamOptimized``) with an embedded descriptor
that describes the file itself; see :mod:`vmdk_descriptor`.

Header layout (little-endian) from VMware's "Virtual Disk Format 5.0"
and qemu's ``block/vmdk.c``: magic, version, flags, capacity, grain size,
descriptor offset and size, GTEs per GT, redundant and primary grain
directory offsets, overhead; sizes and offsets are in 512-byte sectors.
A ``streamOptimized`` file may defer its grain directory to a footer
(``gdOffset`` = all ones), which qemu then reads in place of the header.
"""
import struct
import typing

from image.inspector import vmdk_descriptor
from image.inspector.errors import ImageRejected

NAME = 'vmdk'
SPARSE_MAGIC = b'KDMV'
# The VMware Workstation 3 / ESX 2 sparse format, which qemu also opens.
COWD_MAGIC = b'COWD'
SECTOR = 512
GD_AT_END = 0xffffffffffffffff

_HEADER = struct.Struct('<4sIIQQQQIQQQ')
_MARKER = struct.Struct('<QII496s')
_MARKER_EOS = 0
_MARKER_FOOTER = 3
_FLAG_REDUNDANT_GD = 1 << 1
# qemu reads the embedded descriptor at sector 1 whatever the header
# says, so a descriptor anywhere else could hide what qemu sees.
_DESCRIPTOR_SECTOR = 1
_MAX_DESCRIPTOR_SECTORS = 2048
_MAX_GTES_PER_GT = 512
# Enough of the start of a descriptor-only file to name its extents.
_DESCRIPTOR_FILE_PEEK = 64 * 1024
_PROBE_SIZE = 2048


class _SparseHeader(typing.NamedTuple):
    magic: bytes
    version: int
    flags: int
    capacity: int
    grain_size: int
    descriptor_offset: int
    descriptor_size: int
    gtes_per_gt: int
    rgd_offset: int
    gd_offset: int
    overhead: int


def matches(reader):
    """True for a sparse header (either generation) or a text descriptor."""
    head = reader.peek(0, _PROBE_SIZE)
    return head[:4] in (SPARSE_MAGIC, COWD_MAGIC) or vmdk_descriptor.looks_like_descriptor(head)


def inspect(reader):
    """Check a VMDK and return its virtual size in bytes.

    :raises ImageRejected: for a descriptor-only file, a subformat other
        than monolithicSparse/streamOptimized, extents naming other files
        or a header that points outside the file
    """
    magic = reader.peek(0, 4)
    if magic == COWD_MAGIC:
        raise ImageRejected('VMDK version 3 (COWD) sparse images are not supported; convert the '
                            'image to a monolithicSparse or streamOptimized VMDK')
    if magic != SPARSE_MAGIC:
        text = reader.peek(0, _DESCRIPTOR_FILE_PEEK).split(b'\0', 1)[0]
        raise ImageRejected(vmdk_descriptor.describe_descriptor_file(text.decode('latin-1')))
    header = _read_header(reader, 0, 'VMDK sparse header')
    _check_header(reader, header)
    if header.gd_offset == GD_AT_END:
        header = _read_footer(reader, header)
    descriptor = vmdk_descriptor.parse(_read_descriptor_text(reader, header))
    vmdk_descriptor.check_self_contained(descriptor, header.capacity)
    return header.capacity * SECTOR


def _read_header(reader, offset, what):
    return _SparseHeader(*_HEADER.unpack(reader.read(offset, _HEADER.size, what)))


def _check_header(reader, header):
    if header.version not in (1, 2, 3):
        raise ImageRejected(f'VMDK sparse version {header.version} is not supported')
    if header.capacity == 0:
        # qemu treats the embedded descriptor of a zero-capacity sparse file
        # as a full descriptor file, whose extents may be any file.
        raise ImageRejected('the VMDK header declares no capacity')
    if header.descriptor_offset != _DESCRIPTOR_SECTOR:
        raise ImageRejected(f'the embedded VMDK descriptor must start at sector '
                            f'{_DESCRIPTOR_SECTOR} (the header says {header.descriptor_offset})')
    if not 1 <= header.descriptor_size <= _MAX_DESCRIPTOR_SECTORS:
        raise ImageRejected(f'the VMDK descriptor size ({header.descriptor_size} sectors) '
                            'is invalid')
    grain = header.grain_size
    if grain == 0 or grain & (grain - 1):
        raise ImageRejected(f'the VMDK grain size ({grain} sectors) is not a power of two')
    if not 1 <= header.gtes_per_gt <= _MAX_GTES_PER_GT:
        raise ImageRejected(f'the VMDK grain table size ({header.gtes_per_gt} entries) is invalid')
    reader.require(0, header.overhead * SECTOR, 'VMDK metadata area')
    reader.require(header.descriptor_offset * SECTOR, header.descriptor_size * SECTOR,
                   'VMDK descriptor')
    if header.gd_offset != GD_AT_END:
        _check_grain_directory(reader, header)


def _check_grain_directory(reader, header):
    """The grain directory (and its redundant copy) must be in the file."""
    tables = -(-header.capacity // (header.gtes_per_gt * header.grain_size))
    directory_bytes = tables * 4
    reader.require(header.gd_offset * SECTOR, directory_bytes, 'VMDK grain directory')
    if header.flags & _FLAG_REDUNDANT_GD:
        reader.require(header.rgd_offset * SECTOR, directory_bytes,
                       'VMDK redundant grain directory')


def _read_footer(reader, header):
    """Return the footer's header, which qemu uses instead of the first.

    The last three sectors must be a footer marker, the footer and an
    end-of-stream marker, and the footer must agree with the header on
    everything but where the grain directory is.
    """
    footer_marker = reader.size - 3 * SECTOR
    _check_marker(reader.read(footer_marker, SECTOR, 'VMDK footer marker'), _MARKER_FOOTER,
                  'footer')
    _check_marker(reader.read(reader.size - SECTOR, SECTOR, 'VMDK end-of-stream marker'),
                  _MARKER_EOS, 'end-of-stream')
    footer = _read_header(reader, reader.size - 2 * SECTOR, 'VMDK footer')
    same = ('magic', 'version', 'capacity', 'grain_size', 'descriptor_offset',
            'descriptor_size', 'gtes_per_gt')
    differing = [name for name in same if getattr(footer, name) != getattr(header, name)]
    if differing:
        raise ImageRejected(f'the VMDK footer disagrees with the header ({", ".join(differing)})')
    if footer.gd_offset == GD_AT_END:
        raise ImageRejected('the VMDK footer does not say where the grain directory is')
    _check_grain_directory(reader, footer)
    return footer


def _check_marker(data, marker_type, what):
    value, size, kind, padding = _MARKER.unpack(data)
    if size != 0 or kind != marker_type or padding.strip(b'\0'):
        raise ImageRejected(f'the VMDK {what} marker is invalid')
    if marker_type == _MARKER_EOS and value != 0:
        raise ImageRejected(f'the VMDK {what} marker is invalid')


def _read_descriptor_text(reader, header):
    data = reader.read(header.descriptor_offset * SECTOR, header.descriptor_size * SECTOR,
                       'VMDK descriptor')
    if b'\0' not in data:
        # qemu would keep reading past the declared size until it finds one.
        raise ImageRejected('the VMDK descriptor is not terminated within its declared size')
    try:
        return data.split(b'\0', 1)[0].decode('utf-8')
    except UnicodeDecodeError:
        raise ImageRejected('the VMDK descriptor is not valid UTF-8 text') from None
