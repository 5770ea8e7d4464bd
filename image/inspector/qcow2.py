"""qcow2: the checks that keep qemu from opening any file but the image.

A qcow2 header can name a backing file (OSSA-2015-011, OSSA-2015-014) or
an external data file (OSSA-2024-001); qemu follows either and so reads
host files on behalf of the uploader.  Both are refused here, together
with encryption and with headers whose tables lie outside the file or are
too small for the size they declare.

Layout (big-endian), from qemu's ``docs/interop/qcow2.txt``: a 72-byte
version-2 header, 32 more bytes in version 3 (feature bitmaps, refcount
order, header length), then header extensions up to the end of the first
cluster, each ``type:u32 length:u32 data`` padded to 8 bytes.
"""
import struct
import typing

from image.inspector.errors import ImageRejected

NAME = 'qcow2'
MAGIC = b'QFI\xfb'

_V2_HEADER = struct.Struct('>4sIQIIQIIQQIIQ')
_V3_FIELDS = struct.Struct('>QQQII')
_V3_MIN_HEADER_LENGTH = 104

# Cluster sizes qemu accepts: 512 bytes to 2 MiB.
_MIN_CLUSTER_BITS = 9
_MAX_CLUSTER_BITS = 21

_INCOMPAT_CORRUPT = 1 << 1
_INCOMPAT_DATA_FILE = 1 << 2
_INCOMPAT_EXTENDED_L2 = 1 << 4
# dirty, corrupt, data file, compression type, extended L2.
_INCOMPAT_KNOWN = (1 << 5) - 1

_EXT_END = 0
_EXT_BACKING_FORMAT = 0xe2792aca
_EXT_ENCRYPTION = 0x0537be77
_EXT_DATA_FILE = 0x44415441

# qemu's limits on the active L1 table (32 MiB) and on snapshots.
_MAX_L1_ENTRIES = 32 * 1024 * 1024 // 8
_MAX_SNAPSHOTS = 65536
_SNAPSHOT_HEADER_MIN = 40

_BACKING_FILE = 'qcow2 images with a backing file are not allowed'
_DATA_FILE = 'qcow2 images with an external data file are not allowed'
_ENCRYPTED = 'encrypted qcow2 images are not allowed; upload the image unencrypted'


class _Header(typing.NamedTuple):
    version: int
    backing_offset: int
    backing_size: int
    cluster_bits: int
    size: int
    crypt_method: int
    l1_size: int
    l1_offset: int
    refcount_offset: int
    refcount_clusters: int
    nb_snapshots: int
    snapshots_offset: int
    incompatible: int
    header_length: int

    @property
    def cluster_size(self):
        return 1 << self.cluster_bits


def matches(reader):
    """True when the file starts with the qcow magic (any version)."""
    return reader.peek(0, len(MAGIC)) == MAGIC


def inspect(reader):
    """Check a qcow2 image and return its virtual size in bytes.

    :raises ImageRejected: for a backing file, an external data file,
        encryption, unknown incompatible features or an invalid header
    """
    header = _read_header(reader)
    _check_features(header)
    _check_extensions(reader, header)
    _check_tables(reader, header)
    return header.size


def _read_header(reader):
    fields = _V2_HEADER.unpack(reader.read(0, _V2_HEADER.size, 'qcow2 header'))
    version = fields[1]
    if version not in (2, 3):
        raise ImageRejected(f'qcow2 version {version} is not supported '
                            '(only versions 2 and 3 are)')
    incompatible, header_length = 0, _V2_HEADER.size
    if version == 3:
        incompatible, _compatible, _autoclear, refcount_order, header_length = _V3_FIELDS.unpack(
            reader.read(_V2_HEADER.size, _V3_FIELDS.size, 'qcow2 version 3 header'))
        if refcount_order > 6:
            raise ImageRejected(f'the qcow2 refcount order {refcount_order} is invalid')
    header = _Header(version, *fields[2:], incompatible, header_length)
    if not _MIN_CLUSTER_BITS <= header.cluster_bits <= _MAX_CLUSTER_BITS:
        raise ImageRejected(f'the qcow2 cluster size (cluster_bits {header.cluster_bits}) '
                            'is invalid')
    if version == 3 and not _V3_MIN_HEADER_LENGTH <= header_length <= header.cluster_size:
        raise ImageRejected(f'the qcow2 header length {header_length} is invalid')
    return header


def _check_features(header):
    if header.backing_offset or header.backing_size:
        raise ImageRejected(_BACKING_FILE)
    if header.incompatible & _INCOMPAT_DATA_FILE:
        raise ImageRejected(_DATA_FILE)
    if header.crypt_method:
        raise ImageRejected(_ENCRYPTED)
    if header.incompatible & _INCOMPAT_CORRUPT:
        raise ImageRejected("the qcow2 image is marked corrupt; repair it with "
                            "'qemu-img check -r all' before uploading")
    unknown = header.incompatible & ~_INCOMPAT_KNOWN
    if unknown:
        raise ImageRejected(f'the qcow2 image uses incompatible features this cloud does not know '
                            f'(bits {unknown:#x})')


def _check_extensions(reader, header):
    """Refuse extensions that name other files or keys.

    Like qemu, read them from the end of the header to the end of the
    first cluster; bytes past the end of a short file count as zeros,
    which end the list.
    """
    data = reader.peek(header.header_length, header.cluster_size - header.header_length)
    position = 0
    while position + 8 <= len(data):
        ext_type, length = struct.unpack_from('>II', data, position)
        if ext_type == _EXT_END:
            return
        position += 8
        if length > len(data) - position:
            raise ImageRejected('a qcow2 header extension runs past the header cluster')
        if ext_type == _EXT_DATA_FILE:
            raise ImageRejected(_DATA_FILE)
        if ext_type == _EXT_BACKING_FORMAT:
            raise ImageRejected(_BACKING_FILE)
        if ext_type == _EXT_ENCRYPTION:
            raise ImageRejected(_ENCRYPTED)
        position += (length + 7) & ~7


def _check_tables(reader, header):
    """The L1, refcount and snapshot tables must exist inside the file.

    The L1 table must also be large enough to map the declared virtual
    size: a header that claims a large disk with a tiny table is lying.
    """
    l2_entry_size = 16 if header.incompatible & _INCOMPAT_EXTENDED_L2 else 8
    bytes_per_l1_entry = (header.cluster_size // l2_entry_size) * header.cluster_size
    needed = -(-header.size // bytes_per_l1_entry)
    if header.l1_size < needed:
        raise ImageRejected(f'the qcow2 L1 table ({header.l1_size} entries) is too small for the '
                            f'declared virtual size ({header.size} bytes, {needed} entries '
                            'needed)')
    if header.l1_size > _MAX_L1_ENTRIES:
        raise ImageRejected(f'the qcow2 L1 table ({header.l1_size} entries) is too large')
    if header.l1_size:
        _check_table(reader, header, header.l1_offset, header.l1_size * 8, 'qcow2 L1 table')
    if not header.refcount_clusters:
        raise ImageRejected('the qcow2 image has no reference count table')
    _check_table(reader, header, header.refcount_offset,
                 header.refcount_clusters * header.cluster_size, 'qcow2 reference count table')
    if header.nb_snapshots > _MAX_SNAPSHOTS:
        raise ImageRejected(f'the qcow2 image declares too many snapshots ({header.nb_snapshots})')
    if header.nb_snapshots:
        _check_table(reader, header, header.snapshots_offset,
                     header.nb_snapshots * _SNAPSHOT_HEADER_MIN, 'qcow2 snapshot table')


def _check_table(reader, header, offset, length, what):
    if offset % header.cluster_size or offset == 0:
        raise ImageRejected(f'the {what} offset ({offset}) is invalid: it must be a nonzero '
                            'multiple of the cluster size')
    reader.require(offset, length, what)
