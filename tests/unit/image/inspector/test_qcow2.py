"""qcow2: accepted forms, and every header that must be refused."""
import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import GIB
from tests.unit.image.inspector.crafted import MIB


@pytest.mark.parametrize('version', [2, 3])
def test_plain_image_is_accepted_with_its_virtual_size(inspect, version):
    result = inspect(crafted.qcow2(size=10 * MIB, version=version), 'qcow2')
    assert (result.format, result.virtual_size) == ('qcow2', 10 * MIB)


def test_harmless_extensions_and_features_are_accepted(inspect):
    # A feature-name table, the dirty bit, zstd compression and extended L2.
    image = crafted.qcow2(size=5 * GIB, incompatible=0b11001,
                          extensions=[(crafted.QCOW2_EXT_FEATURE_TABLE, b'\0\0dirty bit')])
    assert inspect(image, 'qcow2').virtual_size == 5 * GIB


def test_backing_file_is_refused(rejection):
    reason = rejection(crafted.qcow2(backing_file='/etc/hosts'), 'qcow2')
    assert reason == 'Image rejected: qcow2 images with a backing file are not allowed'


def test_backing_format_extension_alone_is_refused(rejection):
    image = crafted.qcow2(extensions=[(crafted.QCOW2_EXT_BACKING_FORMAT, b'raw')])
    assert 'backing file' in rejection(image, 'qcow2')


def test_data_file_feature_bit_is_refused(rejection):
    reason = rejection(crafted.qcow2(incompatible=1 << 2), 'qcow2')
    assert reason == 'Image rejected: qcow2 images with an external data file are not allowed'


def test_data_file_extension_without_the_bit_is_refused(rejection):
    image = crafted.qcow2(extensions=[(crafted.QCOW2_EXT_DATA_FILE, b'/etc/passwd')])
    assert 'external data file' in rejection(image, 'qcow2')


@pytest.mark.parametrize('image', [
    crafted.qcow2(crypt_method=1),
    crafted.qcow2(crypt_method=2),
    crafted.qcow2(extensions=[(crafted.QCOW2_EXT_ENCRYPTION, bytes(16))]),
], ids=['aes', 'luks', 'encryption-extension'])
def test_encryption_is_refused(rejection, image):
    assert 'encrypted qcow2' in rejection(image, 'qcow2')


def test_unknown_incompatible_feature_is_refused(rejection):
    assert 'incompatible features' in rejection(crafted.qcow2(incompatible=1 << 5), 'qcow2')


def test_corrupt_image_is_refused(rejection):
    assert 'marked corrupt' in rejection(crafted.qcow2(incompatible=1 << 1), 'qcow2')


@pytest.mark.parametrize('version', [1, 4, 0xffffffff])
def test_unsupported_version_is_refused(rejection, version):
    assert f'qcow2 version {version} is not supported' in rejection(
        crafted.qcow2(version=version), 'qcow2')


@pytest.mark.parametrize('cluster_bits', [0, 8, 22, 63])
def test_invalid_cluster_size_is_refused(rejection, cluster_bits):
    image = crafted.qcow2(cluster_bits=cluster_bits, l1_offset=3 * 65536, refcount_offset=65536,
                          l1_size=1, file_size=4 * 65536)
    assert 'cluster size' in rejection(image, 'qcow2')


@pytest.mark.parametrize('header_length', [72, 103, 70000])
def test_invalid_header_length_is_refused(rejection, header_length):
    image = crafted.qcow2(header_length=max(header_length, 104))
    image = image[:100] + header_length.to_bytes(4, 'big') + image[104:]
    assert 'header length' in rejection(image, 'qcow2')


def test_extension_running_past_the_cluster_is_refused(rejection):
    image = bytearray(crafted.qcow2())
    image[112:120] = (0x12345678).to_bytes(4, 'big') + (70000).to_bytes(4, 'big')
    assert 'runs past the header cluster' in rejection(bytes(image), 'qcow2')


def test_l1_table_outside_the_file_is_refused(rejection):
    image = crafted.qcow2(l1_offset=64 * 65536, file_size=4 * 65536)
    assert 'qcow2 L1 table lies outside the file' in rejection(image, 'qcow2')


def test_refcount_table_outside_the_file_is_refused(rejection):
    image = crafted.qcow2(refcount_offset=100 * 65536, file_size=4 * 65536)
    assert 'reference count table lies outside the file' in rejection(image, 'qcow2')


@pytest.mark.parametrize('field', ['l1_offset', 'refcount_offset'])
@pytest.mark.parametrize('offset', [0, 65536 + 8])
def test_misaligned_or_zero_table_offset_is_refused(rejection, field, offset):
    image = crafted.qcow2(**{field: offset}, file_size=4 * 65536)
    assert 'must be a nonzero multiple of the cluster size' in rejection(image, 'qcow2')


def test_missing_refcount_table_is_refused(rejection):
    assert 'no reference count table' in rejection(crafted.qcow2(refcount_clusters=0), 'qcow2')


def test_snapshot_table_outside_the_file_is_refused(rejection):
    image = crafted.qcow2(nb_snapshots=1, snapshots_offset=50 * 65536)
    assert 'snapshot table lies outside the file' in rejection(image, 'qcow2')


def test_header_lying_about_its_size_is_refused(rejection):
    # 64 TiB claimed, but an L1 table of one entry maps only 512 MiB.
    image = crafted.qcow2(size=64 * 1024 * GIB, l1_size=1)
    assert 'L1 table (1 entries) is too small' in rejection(image, 'qcow2')


def test_virtual_size_beyond_the_maximum_is_refused(rejection):
    image = crafted.qcow2(size=65 * 1024 * GIB)
    assert 'exceeds the maximum of 64 TiB' in rejection(image, 'qcow2')


def test_zero_virtual_size_is_refused(rejection):
    assert 'virtual size of zero' in rejection(crafted.qcow2(size=0), 'qcow2')


@pytest.mark.parametrize('length', [4, 40, 100])
def test_truncated_header_is_refused(rejection, length):
    reason = rejection(crafted.qcow2()[:length], 'qcow2')
    assert 'header lies outside the file' in reason


def test_invalid_refcount_order_is_refused(rejection):
    image = bytearray(crafted.qcow2())
    image[96:100] = (7).to_bytes(4, 'big')
    assert 'refcount order 7 is invalid' in rejection(bytes(image), 'qcow2')


def test_oversized_l1_table_is_refused(rejection):
    image = crafted.qcow2(l1_size=5 * 1024 * 1024, file_size=4 * 65536)
    assert 'L1 table (5242880 entries) is too large' in rejection(image, 'qcow2')


def test_too_many_snapshots_are_refused(rejection):
    image = crafted.qcow2(nb_snapshots=70000, snapshots_offset=65536 * 4)
    assert 'too many snapshots (70000)' in rejection(image, 'qcow2')
