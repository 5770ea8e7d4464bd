"""Factories of crafted disk images, built byte by byte with ``struct``.

Each factory returns ``bytes`` for a small, valid image of its format;
keyword arguments override single header fields so that a test can
break exactly one thing.  The layouts follow the format specifications,
independently of the inspector's code, so that a test checks the
inspector against the format rather than against itself.  The one shared
piece is CRC-32C (VHDX checksums), which ``test_crc32c`` checks against
the standard check values.
"""
import struct
import uuid

from image.inspector.crc32c import crc32c

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


def pad(data, size):
    """``data`` followed by zeros up to ``size`` bytes."""
    assert len(data) <= size
    return data + bytes(size - len(data))


# --- qcow2 -------------------------------------------------------------------

QCOW2_EXT_BACKING_FORMAT = 0xe2792aca
QCOW2_EXT_FEATURE_TABLE = 0x6803f857
QCOW2_EXT_ENCRYPTION = 0x0537be77
QCOW2_EXT_DATA_FILE = 0x44415441


def qcow2(size=10 * MIB, version=3, cluster_bits=16, backing_file=None, crypt_method=0,
          incompatible=0, extensions=(), l1_size=None, l1_offset=None, refcount_offset=None,
          refcount_clusters=1, nb_snapshots=0, snapshots_offset=0, header_length=112,
          file_size=None, magic=b'QFI\xfb'):
    """A qcow2 image laid out as qemu-img does: header, refcount table,
    refcount block, L1 table, one cluster each.

    :param extensions: (type, data) header extensions
    :param backing_file: a name stored after the extensions
    """
    cluster = 1 << cluster_bits
    if l1_size is None:
        l2_entry = 16 if incompatible & (1 << 4) else 8  # extended L2 entries
        per_l1 = (cluster // l2_entry) * cluster
        l1_size = max(1, -(-size // per_l1))
    l1_offset = 3 * cluster if l1_offset is None else l1_offset
    refcount_offset = cluster if refcount_offset is None else refcount_offset
    header = struct.pack('>4sIQIIQIIQQIIQ', magic, version, 0, 0, cluster_bits, size,
                         crypt_method, l1_size, l1_offset, refcount_offset, refcount_clusters,
                         nb_snapshots, snapshots_offset)
    if version >= 3:
        header += struct.pack('>QQQII', incompatible, 0, 0, 4, header_length)
        header = pad(header, header_length)
    for ext_type, data in extensions:
        header += struct.pack('>II', ext_type, len(data)) + pad(data, -(-len(data) // 8) * 8)
    header += bytes(8)
    if backing_file:
        name = backing_file.encode()
        header = header[:8] + struct.pack('>QI', len(header), len(name)) + header[20:] + name
    if file_size is None:
        file_size = max(l1_offset + l1_size * 8, refcount_offset + refcount_clusters * cluster,
                        len(header))
    return pad(header, file_size)


# --- VMDK --------------------------------------------------------------------

VMDK_GD_AT_END = 0xffffffffffffffff


def vmdk_descriptor(create_type='monolithicSparse', extents=('RW 20480 SPARSE "disk.vmdk"',),
                    header_lines=(), parent_cid='ffffffff'):
    """Descriptor text in the layout qemu-img and VMware write."""
    lines = ['# Disk DescriptorFile', 'version=1', 'CID=12345678', f'parentCID={parent_cid}',
             f'createType="{create_type}"', *header_lines, '', '# Extent description',
             *extents, '', '# The Disk Data Base', '#DDB', '',
             'ddb.virtualHWVersion = "4"', 'ddb.adapterType = "ide"']
    return '\n'.join(lines) + '\n'


def vmdk_header(capacity=20480, version=1, flags=3, grain=128, descriptor_offset=1,
                descriptor_size=20, gtes_per_gt=512, rgd_offset=21, gd_offset=26, overhead=128,
                magic=b'KDMV'):
    """The 512-byte hosted sparse extent header."""
    header = struct.pack('<4sIIQQQQIQQQ', magic, version, flags, capacity, grain,
                         descriptor_offset, descriptor_size, gtes_per_gt, rgd_offset, gd_offset,
                         overhead)
    header += b'\0\n \r\n' + struct.pack('<H', 0)
    return pad(header, 512)


def vmdk_sparse(descriptor=None, footer=False, **header_fields):
    """A monolithicSparse VMDK: header, embedded descriptor, metadata.

    :param descriptor: the descriptor text (default: a valid one)
    :param footer: move the grain directory to a footer, as VMware's
        streamOptimized writer does
    """
    header_fields.setdefault('capacity', 20480)
    if descriptor is None:
        descriptor = vmdk_descriptor(
            extents=(f'RW {header_fields["capacity"]} SPARSE "disk.vmdk"',))
    header = vmdk_header(**header_fields)
    body = header + descriptor.encode()
    image = pad(body, header_fields.get('overhead', 128) * 512)
    if footer:
        image = vmdk_header(**{**header_fields, 'gd_offset': VMDK_GD_AT_END}) + image[512:]
        image += vmdk_marker(3) + header + vmdk_marker(0)
    return image


def vmdk_marker(kind, value=0):
    """A stream marker sector: value, size 0, type, zero padding."""
    return struct.pack('<QII', value, 0, kind) + bytes(496)


# --- VHD ---------------------------------------------------------------------

VHD_FIXED, VHD_DYNAMIC, VHD_DIFFERENCING = 2, 3, 4


def vhd_footer(current_size, disk_type=VHD_FIXED, creator=b'qem2', geometry=(0xffff, 16, 255),
               data_offset=0xffffffffffffffff, checksum=None):
    """The 512-byte VHD footer; the checksum is computed unless given."""
    cylinders, heads, sectors = geometry
    footer = struct.pack('>8sIIQI4sI4sQQHBBII16sB', b'conectix', 2, 0x10000, data_offset, 0,
                         creator, 0x50003, b'Wi2k', current_size, current_size, cylinders, heads,
                         sectors, disk_type, 0, b'\x11' * 16, 0)
    footer = pad(footer, 512)
    if checksum is None:
        checksum = ~sum(footer) & 0xffffffff
    return footer[:64] + struct.pack('>I', checksum) + footer[68:]


def vhd_fixed(size=4 * MIB, **footer_fields):
    """A fixed VHD: the disk data, then the footer."""
    return bytes(size) + vhd_footer(size, **footer_fields)


def vhd_dynamic(size=4 * MIB, block_size=2 * MIB, max_entries=None, table_offset=1536,
                **footer_fields):
    """A dynamic VHD as qemu-img writes it: footer copy, dynamic header,
    BAT (all blocks unallocated), footer."""
    footer_fields.setdefault('disk_type', VHD_DYNAMIC)
    footer_fields.setdefault('data_offset', 512)
    footer = vhd_footer(size, **footer_fields)
    if max_entries is None:
        max_entries = -(-size // block_size)
    header = struct.pack('>8sQQIII', b'cxsparse', 0xffffffffffffffff, table_offset, 0x10000,
                         max_entries, block_size)
    bat = b'\xff' * (-(-max_entries * 4 // 512) * 512)
    return footer + pad(header, 1024) + bat + footer


# --- VHDX --------------------------------------------------------------------

VHDX_BAT = uuid.UUID('2DC27766-F623-4200-9D64-115E9BFD4A08').bytes_le
VHDX_METADATA = uuid.UUID('8B7CA206-4790-4B9A-B8FE-575F050F886E').bytes_le
VHDX_FILE_PARAMETERS = uuid.UUID('CAA16737-FA36-4D43-B3B6-33F0AA44E76B').bytes_le
VHDX_VIRTUAL_DISK_SIZE = uuid.UUID('2FA54224-CD1B-4876-B211-5DBED83BF4B8').bytes_le
VHDX_PAGE_83 = uuid.UUID('BECA12AB-B2E6-4523-93EF-C309E000C746').bytes_le
VHDX_LOGICAL_SECTOR = uuid.UUID('8141BF1D-A96F-4709-BA47-F233A8FAAB5F').bytes_le
VHDX_PHYSICAL_SECTOR = uuid.UUID('CDA348C7-445D-4471-9CC9-E9885251C556').bytes_le
VHDX_PARENT_LOCATOR = uuid.UUID('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C').bytes_le


def with_crc32c(data):
    """``data`` with its CRC-32C stored at bytes 4-8 (checksum field zeroed first)."""
    data = data[:4] + bytes(4) + data[8:]
    return data[:4] + struct.pack('<I', crc32c(data)) + data[8:]


def vhdx_header(sequence=1, log_guid=bytes(16), version=1, log_offset=MIB, log_length=MIB):
    header = struct.pack('<4sIQ16s16s16sHHIQ', b'head', 0, sequence, b'\x01' * 16, b'\x02' * 16,
                         log_guid, 0, version, log_length, log_offset)
    return with_crc32c(pad(header, 4 * KIB))


def vhdx_region_table(entries):
    """entries: (guid, offset, length, required) tuples."""
    table = struct.pack('<4sII4x', b'regi', 0, len(entries))
    for guid, offset, length, required in entries:
        table += struct.pack('<16sQII', guid, offset, length, required)
    return with_crc32c(pad(table, 64 * KIB))


def vhdx_items(size=64 * MIB, block_size=32 * MIB, sector_size=512, flags=0):
    """The default metadata items: (guid, data, flags) tuples."""
    return [
        (VHDX_FILE_PARAMETERS, struct.pack('<II', block_size, flags), 4),
        (VHDX_VIRTUAL_DISK_SIZE, struct.pack('<Q', size), 6),
        (VHDX_PAGE_83, b'\x33' * 16, 6),
        (VHDX_LOGICAL_SECTOR, struct.pack('<I', sector_size), 6),
        (VHDX_PHYSICAL_SECTOR, struct.pack('<I', 4096), 6),
    ]


def vhdx_metadata(items):
    """A 1 MiB metadata region: the table, then the item data at 64 KiB."""
    table = struct.pack('<8s2xH20x', b'metadata', len(items))
    data = b''
    for guid, value, flags in items:
        table += struct.pack('<16sIII4x', guid, 64 * KIB + len(data), len(value), flags)
        data += pad(value, -(-len(value) // 8) * 8)
    return pad(pad(table, 64 * KIB) + data, MIB)


def vhdx(items=None, regions=None, headers=None, file_size=4 * MIB, **item_fields):
    """A VHDX: identifier, two headers, two region tables, log at 1 MiB,
    BAT at 2 MiB, metadata at 3 MiB."""
    items = vhdx_items(**item_fields) if items is None else items
    if regions is None:
        regions = [(VHDX_BAT, 2 * MIB, MIB, 1), (VHDX_METADATA, 3 * MIB, MIB, 1)]
    if headers is None:
        headers = (vhdx_header(sequence=1), vhdx_header(sequence=2))
    table = vhdx_region_table(regions)
    start = pad(b'vhdxfile' + 'Stratus tests'.encode('utf-16-le'), 64 * KIB)
    start += headers[0] + bytes(60 * KIB) + headers[1] + bytes(60 * KIB) + table + table
    image = pad(start, 3 * MIB) + vhdx_metadata(items)
    return pad(image, file_size) if file_size >= len(image) else image[:file_size]


# --- VDI ---------------------------------------------------------------------

VDI_NORMAL, VDI_FIXED, VDI_UNDO, VDI_DIFF = 1, 2, 3, 4


def vdi(disk_size=4 * MIB, image_type=VDI_NORMAL, blocks=None, allocated=0, bmap_offset=512,
        data_offset=None, version=0x00010001, block_size=MIB, sector_size=512,
        parent=bytes(16), link=bytes(16), file_size=None):
    """A VDI as qemu-img writes it: banner, header, block map at 512,
    data in the next whole sector (``allocated`` blocks present)."""
    if blocks is None:
        blocks = -(-disk_size // block_size)
    if data_offset is None:
        data_offset = bmap_offset + -(-blocks * 4 // 512) * 512
    header = pad(b'<<< Stratus VM Virtual Disk Image >>>\n', 64)
    header += struct.pack('<IIIII256sIIIIIIIQIIII16s16s16s16s', 0xbeda107f, version, 384,
                          image_type, 0, b'', bmap_offset, data_offset, 0, 0, 0, sector_size, 0,
                          disk_size, block_size, 0, blocks, allocated, b'\x44' * 16, bytes(16),
                          link, parent)
    bmap = b''.join(struct.pack('<I', index if index < allocated else 0xffffffff)
                    for index in range(blocks))
    image = pad(header, max(bmap_offset, len(header))) + bmap
    if file_size is None:
        file_size = data_offset + allocated * block_size
    image = pad(image, max(file_size, len(image)))
    return image[:file_size]


# --- ISO 9660 ----------------------------------------------------------------

ISO_SECTOR = 2048


def iso_descriptor(kind, identifier=b'CD001', body=b''):
    return pad(bytes([kind]) + identifier + b'\x01' + body, ISO_SECTOR)


def iso_primary(volume_blocks, block_size=2048, big_endian_blocks=None):
    """A primary volume descriptor with both-endian size fields."""
    big = volume_blocks if big_endian_blocks is None else big_endian_blocks
    identifiers = b'\0' + b'LINUX'.ljust(32) + b'CIDATA'.ljust(32)
    descriptor = bytearray(iso_descriptor(1, body=identifiers))
    struct.pack_into('<I', descriptor, 80, volume_blocks)
    struct.pack_into('>I', descriptor, 84, big)
    struct.pack_into('<H', descriptor, 120, 1)
    struct.pack_into('>H', descriptor, 122, 1)
    struct.pack_into('<H', descriptor, 124, 1)
    struct.pack_into('>H', descriptor, 126, 1)
    struct.pack_into('<H', descriptor, 128, block_size)
    struct.pack_into('>H', descriptor, 130, block_size)
    return bytes(descriptor)


def iso(file_blocks=200, volume_blocks=None, block_size=2048, system_area=b'', descriptors=None):
    """An ISO 9660 image: system area, descriptor set, data, with the
    volume filling the file unless ``volume_blocks`` says otherwise."""
    if volume_blocks is None:
        volume_blocks = file_blocks * ISO_SECTOR // block_size
    if descriptors is None:
        descriptors = [iso_primary(volume_blocks, block_size), iso_descriptor(255)]
    image = pad(system_area, 16 * ISO_SECTOR) + b''.join(descriptors)
    return pad(image, file_blocks * ISO_SECTOR)


def mbr(partition_type=0x83):
    """A boot sector with one partition, as a raw disk or isohybrid has."""
    sector = bytearray(512)
    struct.pack_into('<B3sB3sII', sector, 446, 0x80, b'\x00\x02\x00', partition_type,
                     b'\xff\xff\xff', 2048, 100000)
    sector[510:512] = b'\x55\xaa'
    return bytes(sector)
