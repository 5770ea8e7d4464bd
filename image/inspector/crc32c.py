"""CRC-32C (Castagnoli), the checksum of VHDX headers and region tables.

The standard library only has CRC-32 (zlib), and the VHDX structures
that need it are small (4 KiB headers, 64 KiB region tables), so a
table-driven implementation in Python is fast enough and adds no
dependency.
"""

_POLYNOMIAL = 0x82f63b78  # reflected form of 0x1EDC6F41


def _make_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc32c(data):
    """Return the CRC-32C of ``data`` (bytes-like) as an unsigned int."""
    crc = 0xffffffff
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff
