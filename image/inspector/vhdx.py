"""VHDX: headers, region table and metadata, checked like qemu checks them.

From Microsoft's [MS-VHDX] specification: a 64 KiB file identifier
(``vhdxfile``), two 4 KiB headers (the valid one with the higher
sequence number is current), a 64 KiB region table locating the block
allocation table (BAT) and the metadata region, and in the metadata
region a table of items, one of which is the virtual disk size.  All
little-endian; headers and region tables carry a CRC-32C.

A differencing VHDX (parent locator, or ``has parent`` in the file
parameters) names its parent file and is refused; so is an image whose
log still needs replaying, because qemu would have to rewrite it first.
"""
import struct
import uuid

from image.inspector.crc32c import crc32c
from image.inspector.errors import ImageRejected

NAME = 'vhdx'
SIGNATURE = b'vhdxfile'

_KIB = 1024
_MIB = 1024 * 1024
_HEADER_OFFSETS = (64 * _KIB, 128 * _KIB)
_HEADER_SIZE = 4 * _KIB
_HEADER = struct.Struct('<4sIQ16s16s16sHHIQ')
_REGION_TABLE_OFFSET = 192 * _KIB
_REGION_TABLE_SIZE = 64 * _KIB
_REGION_TABLE_HEADER = struct.Struct('<4sII4x')
_REGION_ENTRY = struct.Struct('<16sQII')
_METADATA_TABLE_HEADER = struct.Struct('<8s2xH20x')
_METADATA_ENTRY = struct.Struct('<16sIII4x')
_MAX_ENTRIES = 2047

_BAT = uuid.UUID('2DC27766-F623-4200-9D64-115E9BFD4A08').bytes_le
_METADATA = uuid.UUID('8B7CA206-4790-4B9A-B8FE-575F050F886E').bytes_le
_FILE_PARAMETERS = uuid.UUID('CAA16737-FA36-4D43-B3B6-33F0AA44E76B').bytes_le
_VIRTUAL_DISK_SIZE = uuid.UUID('2FA54224-CD1B-4876-B211-5DBED83BF4B8').bytes_le
_PAGE_83 = uuid.UUID('BECA12AB-B2E6-4523-93EF-C309E000C746').bytes_le
_LOGICAL_SECTOR_SIZE = uuid.UUID('8141BF1D-A96F-4709-BA47-F233A8FAAB5F').bytes_le
_PHYSICAL_SECTOR_SIZE = uuid.UUID('CDA348C7-445D-4471-9CC9-E9885251C556').bytes_le
_PARENT_LOCATOR = uuid.UUID('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C').bytes_le
_KNOWN_ITEMS = (_FILE_PARAMETERS, _VIRTUAL_DISK_SIZE, _PAGE_83, _LOGICAL_SECTOR_SIZE,
                _PHYSICAL_SECTOR_SIZE)

_REGION_REQUIRED = 1
_ITEM_IS_USER = 1
_ITEM_REQUIRED = 4
_HAS_PARENT = 2
_NULL_GUID = bytes(16)
_DIFFERENCING = 'differencing VHDX images need a parent disk and are not allowed'


def matches(reader):
    """True when the file identifier signature is at the start."""
    return reader.peek(0, len(SIGNATURE)) == SIGNATURE


def inspect(reader):
    """Check a VHDX and return its virtual size in bytes.

    :raises ImageRejected: for a differencing disk, a log needing
        replay, bad checksums, or structures outside the file
    """
    _check_header(reader)
    regions = _read_regions(reader)
    items = _read_metadata(reader, regions[_METADATA])
    block_size, flags = struct.unpack('<II', items[_FILE_PARAMETERS][:8])
    if flags & _HAS_PARENT:
        raise ImageRejected(_DIFFERENCING)
    if block_size < _MIB or block_size > 256 * _MIB or block_size & (block_size - 1):
        raise ImageRejected(f'the VHDX block size ({block_size}) is invalid')
    sector_size = struct.unpack('<I', items[_LOGICAL_SECTOR_SIZE][:4])[0]
    if sector_size not in (512, 4096):
        raise ImageRejected(f'the VHDX logical sector size ({sector_size}) is invalid')
    size = struct.unpack('<Q', items[_VIRTUAL_DISK_SIZE][:8])[0]
    if size % sector_size:
        raise ImageRejected(f'the VHDX virtual size ({size}) is not a multiple of its sector size')
    _check_bat_size(regions[_BAT][1], size, block_size, sector_size)
    return size


def _check_header(reader):
    """Pick the current header and refuse logs and unknown versions."""
    candidates = []
    for offset in _HEADER_OFFSETS:
        data = reader.read(offset, _HEADER_SIZE, 'VHDX header')
        fields = _HEADER.unpack_from(data)
        if fields[0] == b'head' and _checksum_ok(data):
            candidates.append(fields)
    if not candidates:
        raise ImageRejected('the VHDX file has no valid header')
    if len(candidates) == 2 and candidates[0][2] == candidates[1][2] \
            and candidates[0] != candidates[1]:
        raise ImageRejected('the two VHDX headers differ but have the same sequence number')
    current = max(candidates, key=lambda fields: fields[2])
    log_guid, version, log_length, log_offset = current[5], current[7], current[8], current[9]
    if version != 1:
        raise ImageRejected(f'VHDX version {version} is not supported')
    if log_guid != _NULL_GUID:
        raise ImageRejected('the VHDX log has not been replayed; open and close the image in '
                            'Hyper-V or qemu-img before uploading')
    reader.require(log_offset, log_length, 'VHDX log')


def _checksum_ok(data):
    stored = struct.unpack_from('<I', data, 4)[0]
    return crc32c(data[:4] + bytes(4) + data[8:]) == stored


def _read_regions(reader):
    """Return {region GUID: (offset, length)} for the BAT and metadata."""
    table = reader.read(_REGION_TABLE_OFFSET, _REGION_TABLE_SIZE, 'VHDX region table')
    signature, _checksum, count = _REGION_TABLE_HEADER.unpack_from(table)
    if signature != b'regi' or not _checksum_ok(table):
        raise ImageRejected('the VHDX region table is invalid (bad signature or checksum)')
    if count > _MAX_ENTRIES:
        raise ImageRejected(f'the VHDX region table has too many entries ({count})')
    regions = {}
    for index in range(count):
        guid, offset, length, flags = _REGION_ENTRY.unpack_from(
            table, _REGION_TABLE_HEADER.size + index * _REGION_ENTRY.size)
        if guid not in (_BAT, _METADATA):
            if flags & _REGION_REQUIRED:
                raise ImageRejected('the VHDX file requires a region this cloud does not know')
            continue
        if guid in regions:
            raise ImageRejected('the VHDX region table lists a region twice')
        if offset < _MIB or offset % _MIB or length % _MIB or not length:
            raise ImageRejected('a VHDX region is not aligned to 1 MiB')
        reader.require(offset, length, 'VHDX region')
        regions[guid] = (offset, length)
    if len(regions) != 2:
        raise ImageRejected('the VHDX region table lacks the BAT or the metadata region')
    return regions


def _read_metadata(reader, region):
    """Return {item GUID: data} for the known metadata items.

    :raises ImageRejected: for a parent locator, an unknown required
        item, an item outside the region or a missing item
    """
    region_offset, region_length = region
    header = reader.read(region_offset, _METADATA_TABLE_HEADER.size, 'VHDX metadata table')
    signature, count = _METADATA_TABLE_HEADER.unpack(header)
    if signature != b'metadata':
        raise ImageRejected('the VHDX metadata region has no metadata table')
    if count > _MAX_ENTRIES:
        raise ImageRejected(f'the VHDX metadata table has too many entries ({count})')
    table = reader.read(region_offset + _METADATA_TABLE_HEADER.size,
                        count * _METADATA_ENTRY.size, 'VHDX metadata table')
    items = {}
    for index in range(count):
        guid, offset, length, flags = _METADATA_ENTRY.unpack_from(
            table, index * _METADATA_ENTRY.size)
        if guid == _PARENT_LOCATOR:
            raise ImageRejected(_DIFFERENCING)
        if guid not in _KNOWN_ITEMS or flags & _ITEM_IS_USER:
            if flags & _ITEM_REQUIRED:
                raise ImageRejected('the VHDX file requires metadata this cloud does not know')
            continue
        if guid in items:
            raise ImageRejected('the VHDX metadata table lists an item twice')
        if offset < 64 * _KIB or length > 64 or offset + length > region_length:
            raise ImageRejected('a VHDX metadata item is too large or lies outside the metadata '
                                    'region')
        items[guid] = reader.read(region_offset + offset, length, 'VHDX metadata item')
    for guid, size in ((_FILE_PARAMETERS, 8), (_VIRTUAL_DISK_SIZE, 8), (_LOGICAL_SECTOR_SIZE, 4)):
        if len(items.get(guid, b'')) < size:
            raise ImageRejected('the VHDX metadata lacks the file parameters, virtual size '
                                'or sector size')
    return items


def _check_bat_size(bat_length, size, block_size, sector_size):
    """The BAT must have an entry for every block of the declared size.

    Payload blocks are interleaved with one sector-bitmap block per
    chunk; the chunk ratio is how many payload blocks one bitmap covers.
    """
    chunk_ratio = (1 << 23) * sector_size // block_size
    data_blocks = -(-size // block_size)
    entries = data_blocks + (data_blocks - 1) // chunk_ratio if data_blocks else 0
    if entries * 8 > bat_length:
        raise ImageRejected(f'the VHDX block allocation table ({bat_length} bytes) is too small '
                            f'for the declared virtual size ({size} bytes)')
