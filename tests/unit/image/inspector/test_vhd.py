"""VHD: fixed and dynamic disks, sized as qemu sizes them."""
import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import MIB


def test_fixed_disk_is_accepted_with_its_virtual_size(inspect):
    result = inspect(crafted.vhd_fixed(4 * MIB), 'vhd')
    assert (result.format, result.virtual_size) == ('vhd', 4 * MIB)


def test_dynamic_disk_is_accepted_with_its_virtual_size(inspect):
    assert inspect(crafted.vhd_dynamic(64 * MIB), 'vhd').virtual_size == 64 * MIB


def test_geometry_gives_the_size_for_virtual_pc_images(inspect):
    # Virtual PC and old qemu: cylinders x heads x sectors, not current_size.
    image = crafted.vhd_dynamic(10 * MIB, creator=b'vpc ', geometry=(302, 4, 17), max_entries=6)
    assert inspect(image, 'vhd').virtual_size == 302 * 4 * 17 * 512


def test_differencing_disk_is_refused(rejection):
    image = crafted.vhd_dynamic(disk_type=crafted.VHD_DIFFERENCING)
    assert 'differencing VHD images need a parent disk' in rejection(image, 'vhd')


@pytest.mark.parametrize('disk_type', [0, 1, 5])
def test_unknown_disk_type_is_refused(rejection, disk_type):
    assert f'disk type {disk_type} is invalid' in rejection(
        crafted.vhd_fixed(disk_type=disk_type), 'vhd')


def test_wrong_footer_checksum_is_refused(rejection):
    assert 'footer checksum is wrong' in rejection(crafted.vhd_fixed(checksum=1234), 'vhd')


def test_fixed_disk_shorter_than_its_declared_size_is_refused(rejection):
    # The header lies: 4 MiB declared, 1 MiB of data.
    image = bytes(MIB) + crafted.vhd_footer(4 * MIB)
    assert 'declares 4194304 bytes but the file holds only 1048576' in rejection(image, 'vhd')


def test_fixed_footer_at_the_start_is_refused(rejection):
    image = crafted.vhd_footer(MIB) + bytes(MIB)
    assert 'start of the file describes a fixed disk' in rejection(image, 'vhd')


def test_size_above_the_vhd_limit_is_refused(rejection):
    image = crafted.vhd_dynamic(2041 * 1024 * MIB)
    assert 'exceeds the VHD limit of 2040 GiB' in rejection(image, 'vhd')


def test_dynamic_disk_without_its_first_footer_copy_is_refused(rejection):
    image = crafted.vhd_dynamic()
    assert 'does not start with a copy of its footer' in rejection(bytes(512) + image[512:], 'vhd')


def test_truncated_dynamic_disk_is_refused(rejection):
    # The trailing footer is gone: the last sector is now part of the BAT.
    image = crafted.vhd_dynamic()[:-512]
    assert 'footer' in rejection(image, 'vhd')


def test_footer_copies_that_disagree_are_refused(rejection):
    image = crafted.vhd_dynamic(4 * MIB)
    assert 'two copies of the VHD footer disagree' in rejection(
        image[:-512] + crafted.vhd_footer(8 * MIB, disk_type=crafted.VHD_DYNAMIC, data_offset=512),
        'vhd')


def test_missing_dynamic_header_is_refused(rejection):
    image = crafted.vhd_dynamic()
    assert 'dynamic disk header is missing' in rejection(
        image[:512] + b'cxnotsparse' + image[523:], 'vhd')


def test_dynamic_header_outside_the_file_is_refused(rejection):
    image = crafted.vhd_dynamic(data_offset=10 * MIB)
    assert 'dynamic disk header lies outside the file' in rejection(image, 'vhd')


@pytest.mark.parametrize('block_size', [0, 256, 3 * MIB])
def test_invalid_block_size_is_refused(rejection, block_size):
    image = crafted.vhd_dynamic(block_size=block_size, max_entries=4)
    assert 'block size' in rejection(image, 'vhd')


def test_block_table_too_small_for_the_size_is_refused(rejection):
    # The header lies: 1 GiB declared, one 2 MiB block mapped.
    image = crafted.vhd_dynamic(1024 * MIB, max_entries=1)
    assert 'cannot hold the declared virtual size' in rejection(image, 'vhd')


def test_block_table_outside_the_file_is_refused(rejection):
    image = crafted.vhd_dynamic(table_offset=50 * MIB)
    assert 'block allocation table lies outside the file' in rejection(image, 'vhd')


def test_zero_size_is_refused(rejection):
    assert 'virtual size of zero' in rejection(crafted.vhd_dynamic(0, max_entries=1), 'vhd')
