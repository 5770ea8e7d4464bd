"""VHDX: headers, region table and metadata items."""
import struct

import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import GIB
from tests.unit.image.inspector.crafted import KIB
from tests.unit.image.inspector.crafted import MIB

_REGION_TABLE = 192 * KIB


def _items_with(guid, data=None, flags=None):
    """The default items with one item's data or flags replaced."""
    return [(item, data if item == guid and data is not None else value,
             flags if item == guid and flags is not None else item_flags)
            for item, value, item_flags in crafted.vhdx_items()]


def test_image_is_accepted_with_its_virtual_size(inspect):
    result = inspect(crafted.vhdx(size=20 * GIB), 'vhdx')
    assert (result.format, result.virtual_size) == ('vhdx', 20 * GIB)


def test_only_one_valid_header_is_enough(inspect):
    headers = (crafted.vhdx_header(sequence=5), bytes(4 * KIB))
    assert inspect(crafted.vhdx(headers=headers), 'vhdx').virtual_size == 64 * MIB


def test_unknown_optional_region_and_item_are_ignored(inspect):
    regions = [(crafted.VHDX_BAT, 2 * MIB, MIB, 1), (b'\x99' * 16, 5 * MIB, MIB, 0),
               (crafted.VHDX_METADATA, 3 * MIB, MIB, 1)]
    items = crafted.vhdx_items() + [(b'\x98' * 16, b'user data', 1)]
    assert inspect(crafted.vhdx(regions=regions, items=items), 'vhdx').virtual_size == 64 * MIB


def test_parent_locator_is_refused(rejection):
    items = crafted.vhdx_items() + [(crafted.VHDX_PARENT_LOCATOR, b'\0' * 20, 4)]
    assert 'differencing VHDX images need a parent disk' in rejection(
        crafted.vhdx(items=items), 'vhdx')


def test_has_parent_flag_is_refused(rejection):
    assert 'differencing VHDX' in rejection(crafted.vhdx(flags=2), 'vhdx')


def test_unreplayed_log_is_refused(rejection):
    headers = (crafted.vhdx_header(1), crafted.vhdx_header(2, log_guid=b'\x07' * 16))
    assert 'log has not been replayed' in rejection(crafted.vhdx(headers=headers), 'vhdx')


def test_current_header_is_the_one_with_the_higher_sequence(rejection):
    headers = (crafted.vhdx_header(9, log_guid=b'\x07' * 16), crafted.vhdx_header(2))
    assert 'log has not been replayed' in rejection(crafted.vhdx(headers=headers), 'vhdx')


def test_headers_with_the_same_sequence_must_be_identical(rejection):
    headers = (crafted.vhdx_header(3), crafted.vhdx_header(3, log_offset=2 * MIB))
    assert 'same sequence number' in rejection(crafted.vhdx(headers=headers), 'vhdx')


def test_no_valid_header_is_refused(rejection):
    broken = crafted.vhdx_header(1)[:100] + b'x' + crafted.vhdx_header(1)[101:]
    assert 'no valid header' in rejection(crafted.vhdx(headers=(broken, bytes(4 * KIB))), 'vhdx')


def test_unsupported_version_is_refused(rejection):
    headers = (crafted.vhdx_header(1, version=2), bytes(4 * KIB))
    assert 'VHDX version 2 is not supported' in rejection(crafted.vhdx(headers=headers), 'vhdx')


def test_log_outside_the_file_is_refused(rejection):
    headers = (crafted.vhdx_header(1, log_offset=100 * MIB), bytes(4 * KIB))
    assert 'VHDX log lies outside the file' in rejection(crafted.vhdx(headers=headers), 'vhdx')


def test_region_table_checksum_is_checked(rejection):
    image = bytearray(crafted.vhdx())
    image[_REGION_TABLE + 40] ^= 1
    assert 'region table is invalid' in rejection(bytes(image), 'vhdx')


def test_region_table_with_too_many_entries_is_refused(rejection):
    image = bytearray(crafted.vhdx())
    struct.pack_into('<I', image, _REGION_TABLE + 8, 5000)
    image[_REGION_TABLE:_REGION_TABLE + 64 * KIB] = crafted.with_crc32c(
        bytes(image[_REGION_TABLE:_REGION_TABLE + 64 * KIB]))
    assert 'too many entries (5000)' in rejection(bytes(image), 'vhdx')


@pytest.mark.parametrize('regions, message', [
    ([(crafted.VHDX_BAT, 2 * MIB, MIB, 1)], 'lacks the BAT or the metadata region'),
    ([(crafted.VHDX_BAT, 2 * MIB, MIB, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1),
      (b'\x99' * 16, 5 * MIB, MIB, 1)], 'requires a region this cloud does not know'),
    ([(crafted.VHDX_BAT, 2 * MIB, MIB, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1),
      (crafted.VHDX_BAT, 2 * MIB, MIB, 1)], 'lists a region twice'),
    ([(crafted.VHDX_BAT, 2 * MIB + 512, MIB, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1)],
     'not aligned to 1 MiB'),
    ([(crafted.VHDX_BAT, 2 * MIB, 0, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1)],
     'not aligned to 1 MiB'),
    ([(crafted.VHDX_BAT, 200 * MIB, MIB, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1)],
     'VHDX region lies outside the file'),
])
def test_invalid_region_table_is_refused(rejection, regions, message):
    assert message in rejection(crafted.vhdx(regions=regions), 'vhdx')


def test_metadata_region_without_its_table_is_refused(rejection):
    regions = [(crafted.VHDX_BAT, 2 * MIB, MIB, 1), (crafted.VHDX_METADATA, MIB, MIB, 1)]
    assert 'has no metadata table' in rejection(crafted.vhdx(regions=regions), 'vhdx')


@pytest.mark.parametrize('items, message', [
    (_items_with(crafted.VHDX_VIRTUAL_DISK_SIZE, flags=1 | 4),
     'requires metadata this cloud does not know'),
    (crafted.vhdx_items()[1:], 'lacks the file parameters'),
    (crafted.vhdx_items() + crafted.vhdx_items()[:1], 'lists an item twice'),
    (_items_with(crafted.VHDX_PAGE_83, data=bytes(100)), 'too large or lies outside'),
])
def test_invalid_metadata_is_refused(rejection, items, message):
    assert message in rejection(crafted.vhdx(items=items), 'vhdx')


def test_metadata_item_outside_the_region_is_refused(rejection):
    image = bytearray(crafted.vhdx())
    # The first entry's offset, relative to the metadata region.
    struct.pack_into('<I', image, 3 * MIB + 32 + 16, MIB - 4)
    assert 'too large or lies outside' in rejection(bytes(image), 'vhdx')


def test_metadata_table_with_too_many_entries_is_refused(rejection):
    image = bytearray(crafted.vhdx())
    struct.pack_into('<H', image, 3 * MIB + 10, 3000)
    assert 'metadata table has too many entries (3000)' in rejection(bytes(image), 'vhdx')


@pytest.mark.parametrize('fields, message', [
    ({'block_size': 512 * KIB}, 'block size'),
    ({'block_size': 3 * MIB}, 'block size'),
    ({'block_size': 512 * MIB}, 'block size'),
    ({'sector_size': 1024}, 'logical sector size (1024)'),
    ({'size': 64 * MIB + 100}, 'not a multiple of its sector size'),
    ({'size': 0}, 'virtual size of zero'),
    ({'size': 65 * 1024 * GIB}, 'too small for the declared virtual size'),
])
def test_invalid_disk_parameters_are_refused(rejection, fields, message):
    assert message in rejection(crafted.vhdx(**fields), 'vhdx')


def test_size_beyond_the_maximum_is_refused(rejection):
    regions = [(crafted.VHDX_BAT, 4 * MIB, 4 * MIB, 1), (crafted.VHDX_METADATA, 3 * MIB, MIB, 1)]
    image = crafted.vhdx(regions=regions, file_size=8 * MIB, size=65 * 1024 * GIB,
                         block_size=256 * MIB)
    assert 'exceeds the maximum of 64 TiB' in rejection(image, 'vhdx')


@pytest.mark.parametrize('length', [100, 70 * KIB, 200 * KIB, 3 * MIB + 10])
def test_truncated_file_is_refused(rejection, length):
    assert 'lies outside the file' in rejection(crafted.vhdx()[:length], 'vhdx')
