"""VDI: normal and fixed version 1.1 images without a parent."""
import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import GIB
from tests.unit.image.inspector.crafted import MIB


def test_normal_image_is_accepted_with_its_virtual_size(inspect):
    result = inspect(crafted.vdi(disk_size=10 * GIB), 'vdi')
    assert (result.format, result.virtual_size) == ('vdi', 10 * GIB)


def test_fixed_image_is_accepted(inspect):
    image = crafted.vdi(disk_size=4 * MIB, image_type=crafted.VDI_FIXED, allocated=4)
    assert inspect(image, 'vdi').virtual_size == 4 * MIB


def test_size_of_a_partial_sector_is_rounded_down(inspect):
    assert inspect(crafted.vdi(disk_size=MIB + 100), 'vdi').virtual_size == MIB


@pytest.mark.parametrize('fields', [{'parent': b'\x01' * 16}, {'link': b'\x02' * 16}])
def test_differencing_image_is_refused(rejection, fields):
    assert 'differencing VDI images need a parent disk' in rejection(
        crafted.vdi(image_type=crafted.VDI_DIFF, **fields), 'vdi')


@pytest.mark.parametrize('image_type', [crafted.VDI_UNDO, crafted.VDI_DIFF, 0])
def test_other_image_types_are_refused(rejection, image_type):
    assert f'image type {image_type} is not supported' in rejection(
        crafted.vdi(image_type=image_type), 'vdi')


def test_other_version_is_refused(rejection):
    assert 'VDI version 1.0 is not supported' in rejection(crafted.vdi(version=0x00010000), 'vdi')


@pytest.mark.parametrize('fields', [{'block_size': 2 * MIB}, {'sector_size': 4096}])
def test_unsupported_geometry_is_refused(rejection, fields):
    assert 'sector or block size is not supported' in rejection(crafted.vdi(**fields), 'vdi')


def test_size_beyond_the_block_map_is_refused(rejection):
    # The header lies: 4 GiB declared, 4 blocks of 1 MiB.
    image = crafted.vdi(disk_size=4 * GIB, blocks=4)
    assert 'declares 4294967296 bytes but has only 4 blocks' in rejection(image, 'vdi')


def test_allocated_blocks_missing_from_the_file_are_refused(rejection):
    image = crafted.vdi(disk_size=8 * MIB, allocated=8, file_size=3 * MIB)
    assert 'VDI data area lies outside the file' in rejection(image, 'vdi')


def test_more_allocated_than_existing_blocks_is_refused(rejection):
    image = crafted.vdi(disk_size=2 * MIB, blocks=2, allocated=3)
    assert 'more allocated blocks than it has' in rejection(image, 'vdi')


@pytest.mark.parametrize('fields, message', [
    ({'bmap_offset': 100}, 'not sector-aligned'),
    ({'data_offset': 1000}, 'not sector-aligned'),
    ({'bmap_offset': 0}, 'overlaps the header or the data'),
    ({'disk_size': 1024 * MIB, 'data_offset': 1024}, 'overlaps the header or the data'),
    ({'data_offset': 100 * MIB, 'file_size': 1024}, 'VDI data area lies outside the file'),
])
def test_offsets_outside_their_place_are_refused(rejection, fields, message):
    assert message in rejection(crafted.vdi(**fields), 'vdi')


def test_block_map_outside_the_file_is_refused(rejection):
    image = crafted.vdi(disk_size=1024 * MIB, data_offset=8192, file_size=2048)
    assert 'VDI block map lies outside the file' in rejection(image, 'vdi')


def test_zero_size_is_refused(rejection):
    assert 'virtual size of zero' in rejection(crafted.vdi(disk_size=0), 'vdi')


def test_truncated_header_is_refused(rejection):
    assert 'VDI header lies outside the file' in rejection(crafted.vdi()[:300], 'vdi')
