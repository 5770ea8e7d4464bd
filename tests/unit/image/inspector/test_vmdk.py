"""VMDK: single-file sparse images pass, anything naming other files fails."""
import pytest

from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import MIB


@pytest.mark.parametrize('create_type', ['monolithicSparse', 'streamOptimized'])
def test_sparse_image_is_accepted_with_its_virtual_size(inspect, create_type):
    descriptor = crafted.vmdk_descriptor(create_type=create_type,
                                         extents=('RW 40960 SPARSE "disk.vmdk"',))
    result = inspect(crafted.vmdk_sparse(descriptor=descriptor, capacity=40960), 'vmdk')
    assert (result.format, result.virtual_size) == ('vmdk', 20 * MIB)


def test_footer_with_the_same_header_is_accepted(inspect):
    assert inspect(crafted.vmdk_sparse(footer=True), 'vmdk').virtual_size == 10 * MIB


def test_descriptor_with_extra_known_keys_and_crlf_is_accepted(inspect):
    descriptor = crafted.vmdk_descriptor(header_lines=('encoding="UTF-8"',
                                                       'isNativeSnapshot="no"'))
    image = crafted.vmdk_sparse(descriptor=descriptor.replace('\n', '\r\n'))
    assert inspect(image, 'vmdk').virtual_size == 10 * MIB


# --- the os-test-images insecure and unusable VMDKs ------------------------

def test_sparse_with_url_backing_is_refused(rejection):
    # os-test-images vmdk-sparse-with-url-backing: the extent became /etc/hosts.
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(
        extents=('RW 20480 SPARSE "/etc/hosts"',)))
    assert rejection(image, 'vmdk') == ("Image rejected: the VMDK descriptor references a file "
                                        "outside the image (extent '/etc/hosts')")


@pytest.mark.parametrize('name', ['../disk.vmdk', 'C:\\disk.vmdk', 'http://example.com/x.vmdk',
                                  'dir/disk.vmdk', '.hidden', 'a\tb'])
def test_extent_naming_another_place_is_refused(rejection, name):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(
        extents=(f'RW 20480 SPARSE "{name}"',)))
    assert 'references a file outside the image' in rejection(image, 'vmdk')


@pytest.mark.parametrize('disk_format', ['vmdk', 'raw'])
def test_monolithic_flat_descriptor_is_refused(rejection, disk_format):
    # os-test-images vmdk-monolithicFlat and vmdk-monolithicFlat-leak.
    for target in ('disk-flat.vmdk', '/etc/hosts'):
        text = crafted.vmdk_descriptor(create_type='monolithicFlat',
                                       extents=(f'RW 20480 FLAT "{target}" 0',))
        reason = rejection(text.encode(), disk_format)
        if disk_format == 'vmdk':
            assert f"references a file outside the image (extent '{target}')" in reason
        else:
            assert reason == 'Image rejected: the data is vmdk but disk_format is raw'


def test_descriptor_only_file_without_extents_is_refused(rejection):
    text = crafted.vmdk_descriptor(create_type='vmfs', extents=())
    assert 'VMDK descriptor without embedded data' in rejection(text.encode(), 'vmdk')


def test_descriptor_file_detection_skips_comments_and_blank_lines(rejection):
    text = '# comment\n\n   \r\nversion = 1\nRW 8 FLAT "x" 0\n'
    assert "extent 'x'" in rejection(text.encode(), 'vmdk')


def test_text_without_a_version_line_is_not_a_descriptor(inspect):
    text = b'# just a comment\n\n# and another\n'
    assert inspect(text, 'raw').format == 'raw'


@pytest.mark.parametrize('create_type', ['monolithicFlat', 'twoGbMaxExtentSparse', 'vmfs', ''])
def test_other_subformat_in_sparse_file_is_refused(rejection, create_type):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(create_type=create_type))
    assert 'is not supported; only monolithicSparse and streamOptimized' in rejection(
        image, 'vmdk')


@pytest.mark.parametrize('line', [
    'parentFileNameHint="/etc/hosts"',
    'changeTrackPath="disk-ctk.vmdk"',
    '# parentFileNameHint="/etc/hosts"',
    'ddb.comment = "parentFileNameHint=\\"/etc/hosts\\""',
])
def test_reference_to_a_parent_or_other_file_is_refused_anywhere(rejection, line):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(header_lines=(line,)))
    assert 'the VMDK descriptor references another file' in rejection(image, 'vmdk')


def test_delta_disk_is_refused(rejection):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(parent_cid='1234abcd'))
    assert 'delta disk that needs a parent' in rejection(image, 'vmdk')


@pytest.mark.parametrize('lines, message', [
    (('unknownKey="x"',), 'unknown key'),
    (('this is not a descriptor line',), 'does not recognise'),
    (('CID=87654321',), 'sets CID more than once'),
    (('# createType="monolithicFlat"',), 'createType more than once'),
])
def test_unrecognised_or_ambiguous_descriptor_is_refused(rejection, lines, message):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(header_lines=lines))
    assert message in rejection(image, 'vmdk')


@pytest.mark.parametrize('extents, message', [
    ((), 'lists 0 extents'),
    (('RW 10240 SPARSE "disk.vmdk"', 'RW 10240 SPARSE "disk2.vmdk"'), 'lists 2 extents'),
    (('RW 10240 SPARSE "disk.vmdk"', 'RW 10240 FLAT "/etc/hosts" 0'),
     "references a file outside the image (extent '/etc/hosts')"),
    (('RW 20480 FLAT "disk.vmdk" 0',), 'is not a readable SPARSE extent'),
    (('RW 20480 ZERO',), 'is not a readable SPARSE extent'),
    (('NOACCESS 20480 SPARSE "disk.vmdk"',), 'is not a readable SPARSE extent'),
    (('RW 20480 SPARSE "disk.vmdk" 7',), 'is not a readable SPARSE extent'),
    (('RW 99999 SPARSE "disk.vmdk"',), 'declares 99999 sectors but its header declares 20480'),
])
def test_extent_that_is_not_the_file_itself_is_refused(rejection, extents, message):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(extents=extents))
    assert message in rejection(image, 'vmdk')


# --- the sparse header -----------------------------------------------------

@pytest.mark.parametrize('fields, message', [
    ({'version': 4}, 'VMDK sparse version 4 is not supported'),
    ({'capacity': 0}, 'declares no capacity'),
    ({'descriptor_offset': 2}, 'must start at sector 1'),
    ({'descriptor_size': 0}, 'descriptor size (0 sectors) is invalid'),
    ({'descriptor_size': 4096}, 'descriptor size (4096 sectors) is invalid'),
    ({'grain': 0}, 'not a power of two'),
    ({'grain': 100}, 'not a power of two'),
    ({'gtes_per_gt': 0}, 'grain table size'),
    ({'gtes_per_gt': 513}, 'grain table size'),
    ({'overhead': 1000}, 'VMDK metadata area lies outside the file'),
    ({'gd_offset': 5000}, 'VMDK grain directory lies outside the file'),
    ({'rgd_offset': 5000}, 'VMDK redundant grain directory lies outside the file'),
])
def test_invalid_sparse_header_is_refused(rejection, fields, message):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(), **fields)
    if 'overhead' in fields:
        image = image[:64 * 1024]
    assert message in rejection(image, 'vmdk')


def test_descriptor_without_terminator_is_refused(rejection):
    text = crafted.vmdk_descriptor()
    image = crafted.vmdk_sparse(descriptor=text + '#' * (20 * 512 - len(text)))
    assert 'not terminated within its declared size' in rejection(image, 'vmdk')


def test_descriptor_that_is_not_text_is_refused(rejection):
    image = crafted.vmdk_sparse(descriptor=crafted.vmdk_descriptor(
        header_lines=('encoding="UTF-8"',)))
    assert 'not valid UTF-8' in rejection(image.replace(b'UTF-8', b'UTF\xff8'), 'vmdk')


def test_cowd_sparse_format_is_refused(rejection):
    assert 'COWD' in rejection(b'COWD' + bytes(4092), 'vmdk')


@pytest.mark.parametrize('length, message', [
    (3, 'the data is raw but disk_format is vmdk'),
    (50, 'VMDK sparse header lies outside the file'),
    (600, 'VMDK metadata area lies outside the file'),
])
def test_truncated_sparse_file_is_refused(rejection, length, message):
    assert message in rejection(crafted.vmdk_sparse()[:length], 'vmdk')


# --- the footer of a streamOptimized file ----------------------------------

def _with_footer_field(image, offset, data):
    footer_start = len(image) - 1024
    return image[:footer_start + offset] + data + image[footer_start + offset + len(data):]


def test_footer_disagreeing_with_the_header_is_refused(rejection):
    image = _with_footer_field(crafted.vmdk_sparse(footer=True), 12, (99999).to_bytes(8, 'little'))
    assert 'footer disagrees with the header (capacity)' in rejection(image, 'vmdk')


def test_footer_pointing_at_another_footer_is_refused(rejection):
    image = _with_footer_field(crafted.vmdk_sparse(footer=True), 56, b'\xff' * 8)
    assert 'does not say where the grain directory is' in rejection(image, 'vmdk')


@pytest.mark.parametrize('marker, message', [
    (crafted.vmdk_marker(0), 'footer marker is invalid'),
    (crafted.vmdk_marker(3, value=1)[:-1] + b'x', 'footer marker is invalid'),
])
def test_invalid_footer_marker_is_refused(rejection, marker, message):
    image = crafted.vmdk_sparse(footer=True)
    image = image[:-1536] + marker + image[-1024:]
    assert message in rejection(image, 'vmdk')


def test_invalid_end_of_stream_marker_is_refused(rejection):
    image = crafted.vmdk_sparse(footer=True)[:-512] + crafted.vmdk_marker(0, value=5)
    assert 'end-of-stream marker is invalid' in rejection(image, 'vmdk')


def test_missing_footer_is_refused(rejection):
    image = crafted.vmdk_sparse(footer=True)[:-1536]
    assert 'footer marker is invalid' in rejection(image, 'vmdk')
