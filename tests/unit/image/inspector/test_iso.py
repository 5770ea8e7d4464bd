"""ISO 9660: the primary volume descriptor, and what hides in the system area."""
import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import ISO_SECTOR
from tests.unit.image.inspector.crafted import MIB


def test_image_is_accepted_with_its_volume_size(inspect):
    result = inspect(crafted.iso(file_blocks=300), 'iso')
    assert (result.format, result.virtual_size) == ('iso', 300 * ISO_SECTOR)


def test_file_longer_than_the_volume_is_accepted(inspect):
    # isohybrid pads images to a whole number of MiB after the volume.
    assert inspect(crafted.iso(file_blocks=512, volume_blocks=300), 'iso').virtual_size == \
        300 * ISO_SECTOR


def test_hybrid_image_with_a_partition_table_is_accepted(inspect):
    result = inspect(crafted.iso(system_area=crafted.mbr(0xee)), 'iso')
    assert result.format == 'iso'


def test_boot_record_before_the_primary_descriptor_is_skipped(inspect):
    descriptors = [crafted.iso_descriptor(0), crafted.iso_primary(200),
                   crafted.iso_descriptor(255)]
    assert inspect(crafted.iso(descriptors=descriptors), 'iso').virtual_size == 200 * ISO_SECTOR


@pytest.mark.parametrize('block_size', [512, 1024])
def test_smaller_logical_blocks_are_accepted(inspect, block_size):
    image = crafted.iso(file_blocks=100, block_size=block_size)
    assert inspect(image, 'iso').virtual_size == 100 * ISO_SECTOR


def test_volume_larger_than_the_file_is_refused(rejection):
    # The header lies: a 4 GiB volume in a 400 KiB file.
    reason = rejection(crafted.iso(file_blocks=200, volume_blocks=2 * 1024 * 1024), 'iso')
    assert 'volume declares 4294967296 bytes but the file has only 409600' in reason


def test_iso_with_qcow2_in_the_system_area_is_refused(rejection):
    # os-test-images iso-with-qcow2-in-system: qemu-img would see a qcow2.
    image = crafted.iso(file_blocks=200, system_area=crafted.qcow2()[:32 * 1024])
    for disk_format in ('iso', 'qcow2', 'raw'):
        assert rejection(image, disk_format) == (
            'Image rejected: the data matches more than one format (iso, qcow2); '
            'one may be hidden inside the other')


@pytest.mark.parametrize('system_area, other', [
    (crafted.vdi()[:512], 'vdi'),
    (crafted.vmdk_header(), 'vmdk'),
    (b'vhdxfile', 'vhdx'),
    (b'conectix', 'vhd'),
    (b'QED\0', 'qed'),
])
def test_other_headers_in_the_system_area_are_refused(rejection, system_area, other):
    reason = rejection(crafted.iso(system_area=system_area), 'iso')
    assert 'matches more than one format' in reason and other in reason


def test_inconsistent_both_endian_fields_are_refused(rejection):
    descriptors = [crafted.iso_primary(200, big_endian_blocks=1 << 30),
                   crafted.iso_descriptor(255)]
    assert 'volume space size is recorded inconsistently' in rejection(
        crafted.iso(descriptors=descriptors), 'iso')


@pytest.mark.parametrize('block_size', [0, 4096, 2047])
def test_invalid_logical_block_size_is_refused(rejection, block_size):
    descriptors = [crafted.iso_primary(200, block_size), crafted.iso_descriptor(255)]
    assert 'logical block size' in rejection(crafted.iso(descriptors=descriptors), 'iso')


def test_missing_primary_descriptor_is_refused(rejection):
    descriptors = [crafted.iso_descriptor(2), crafted.iso_descriptor(255)]
    assert 'no primary volume descriptor' in rejection(crafted.iso(descriptors=descriptors), 'iso')


def test_broken_descriptor_set_is_refused(rejection):
    descriptors = [crafted.iso_descriptor(0), crafted.iso_descriptor(1, identifier=b'XXXXX')]
    assert 'descriptor set is broken' in rejection(crafted.iso(descriptors=descriptors), 'iso')


def test_endless_descriptor_set_is_refused(rejection):
    image = crafted.iso(file_blocks=100, descriptors=[crafted.iso_descriptor(2)] * 70)
    assert 'no primary volume descriptor' in rejection(image, 'iso')


def test_udf_only_image_is_refused(rejection):
    descriptors = [crafted.iso_descriptor(0, b'BEA01'), crafted.iso_descriptor(0, b'NSR02'),
                   crafted.iso_descriptor(0, b'TEA01')]
    assert 'UDF images without an ISO 9660 volume descriptor' in rejection(
        crafted.iso(descriptors=descriptors), 'iso')


def test_zero_volume_is_refused(rejection):
    descriptors = [crafted.iso_primary(0), crafted.iso_descriptor(255)]
    assert 'virtual size of zero' in rejection(crafted.iso(descriptors=descriptors), 'iso')


def test_truncated_descriptor_is_refused(rejection):
    image = crafted.iso(file_blocks=100)[:32 * 1024 + 100]
    assert 'volume descriptor lies outside the file' in rejection(image, 'iso')


def test_iso_declared_raw_is_refused(rejection):
    assert rejection(crafted.iso(file_blocks=MIB // ISO_SECTOR), 'raw') == \
        'Image rejected: the data is iso but disk_format is raw'
