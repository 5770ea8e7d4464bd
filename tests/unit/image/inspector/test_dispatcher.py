"""The decisions every upload goes through, whatever its format.

Format mismatches (OSSA-2024-002: a qcow2 or VMDK uploaded as ``raw``),
overlapping signatures, empty and garbage files, foreign formats, and
that inspecting a huge file reads only a few KiB of it.
"""
import dataclasses
import os
import random
import time

import pytest

from image import inspector
from image.inspector import reader as reader_module
from tests.unit.image.inspector import crafted
from tests.unit.image.inspector.crafted import GIB
from tests.unit.image.inspector.crafted import MIB

STRUCTURED = {
    'qcow2': crafted.qcow2(),
    'vmdk': crafted.vmdk_sparse(),
    'vhd': crafted.vhd_dynamic(),
    'vhdx': crafted.vhdx(),
    'vdi': crafted.vdi(),
    'iso': crafted.iso(),
}
RAW_FORMATS = ('raw', 'ami', 'aki', 'ari')


def _garbage(size=64 * 1024, seed=7):
    return random.Random(seed).randbytes(size)


def test_supported_disk_formats_are_glances():
    assert set(inspector.SUPPORTED_DISK_FORMATS) == {
        'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'}


def test_inspection_is_a_frozen_value(inspect):
    result = inspect(_garbage(), 'raw')
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.virtual_size = 1


@pytest.mark.parametrize('disk_format', RAW_FORMATS)
def test_raw_bytes_are_accepted_with_the_file_size(inspect, disk_format):
    result = inspect(_garbage(12345), disk_format)
    assert (result.format, result.virtual_size) == ('raw', 12345)


@pytest.mark.parametrize('boot_sector', [crafted.mbr(0x83), crafted.mbr(0xee) + b'EFI PART'],
                         ids=['mbr', 'gpt'])
def test_raw_disk_with_a_partition_table_is_accepted(inspect, boot_sector):
    assert inspect(crafted.pad(boot_sector, MIB), 'raw').format == 'raw'


@pytest.mark.parametrize('disk_format', [f for f in inspector.SUPPORTED_DISK_FORMATS
                                         if f != 'ploop'])
def test_empty_file_is_refused(rejection, disk_format):
    assert rejection(b'', disk_format) == 'Image rejected: the image data is empty'


@pytest.mark.parametrize('disk_format', sorted(STRUCTURED))
def test_garbage_declared_as_a_structured_format_is_refused(rejection, disk_format):
    assert rejection(_garbage(), disk_format) == \
        f'Image rejected: the data is raw but disk_format is {disk_format}'


@pytest.mark.parametrize('disk_format', RAW_FORMATS)
@pytest.mark.parametrize('detected', sorted(STRUCTURED))
def test_structured_image_declared_raw_is_refused(rejection, detected, disk_format):
    # OSSA-2024-002: qemu would open it as its real format.
    assert rejection(STRUCTURED[detected], disk_format) == \
        f'Image rejected: the data is {detected} but disk_format is {disk_format}'


def test_qcow2_with_backing_file_declared_raw_is_refused(rejection):
    image = crafted.qcow2(backing_file='/etc/hosts')
    assert rejection(image, 'raw') == 'Image rejected: the data is qcow2 but disk_format is raw'


@pytest.mark.parametrize('declared', ['qcow2', 'vmdk', 'vhdx'])
@pytest.mark.parametrize('detected', ['vhd', 'vdi', 'iso'])
def test_structured_image_declared_as_another_format_is_refused(rejection, detected, declared):
    assert rejection(STRUCTURED[detected], declared) == \
        f'Image rejected: the data is {detected} but disk_format is {declared}'


@pytest.mark.parametrize('name, magic', [
    ('qed', b'QED\0'),
    ('luks', b'LUKS\xba\xbe\0\x01'),
    ('ploop', b'WithoutFreeSpace'),
    ('ploop', b'WithouFreSpacExt'),
    ('bochs', b'Bochs Virtual HD Image'),
    ('cloop', b'#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r'),
])
@pytest.mark.parametrize('disk_format', ['raw', 'qcow2'])
def test_foreign_format_never_passes(rejection, name, magic, disk_format):
    assert rejection(crafted.pad(magic, MIB), disk_format) == \
        f'Image rejected: the data is {name} but disk_format is {disk_format}'


def test_ploop_disk_format_is_refused_as_unsupported(rejection):
    assert rejection(_garbage(), 'ploop') == ('Image rejected: disk_format ploop is not '
                                              'supported by this cloud; convert the image to '
                                              'qcow2 or raw')


@pytest.mark.parametrize('disk_format', [None, ''])
def test_missing_disk_format_is_refused(rejection, disk_format):
    assert rejection(_garbage(), disk_format) == \
        'Image rejected: the image has no disk_format; set it before uploading data'


@pytest.mark.parametrize('disk_format', ['qed', 'QCOW2', 'docker'])
def test_unknown_disk_format_is_refused(rejection, disk_format):
    assert f'disk_format {disk_format!r} is not one of' in rejection(_garbage(), disk_format)


@pytest.mark.parametrize('image, names', [
    (crafted.qcow2()[:64] + (0xbeda107f).to_bytes(4, 'little') + crafted.qcow2()[68:],
     'qcow2, vdi'),
    (crafted.vmdk_sparse() + crafted.vhd_footer(1024), 'vhd, vmdk'),
    (b'QED\0' + crafted.vdi()[4:], 'qed, vdi'),
])
@pytest.mark.parametrize('disk_format', ['raw', 'vdi', 'vmdk', 'qcow2'])
def test_two_signatures_at_once_are_refused(rejection, image, names, disk_format):
    assert rejection(image, disk_format) == (
        f'Image rejected: the data matches more than one format ({names}); '
        'one may be hidden inside the other')


def test_missing_file_is_an_os_error_not_a_rejection(tmp_path):
    with pytest.raises(FileNotFoundError):
        inspector.inspect_file(str(tmp_path / 'absent'), 'raw')


def test_directory_is_an_os_error_not_a_rejection(tmp_path):
    with pytest.raises(OSError):
        inspector.inspect_file(str(tmp_path), 'raw')


# --- bounded reads -----------------------------------------------------------

@pytest.fixture
def bytes_read(monkeypatch):
    """Count every byte the inspector reads from image files."""
    counter = {'bytes': 0}
    real_pread = os.pread

    def counting_pread(fd, length, offset):
        data = real_pread(fd, length, offset)
        counter['bytes'] += len(data)
        return data
    monkeypatch.setattr(os, 'pread', counting_pread)
    return counter


def _sparse_file(tmp_path, name, head, size, tail=b''):
    path = tmp_path / name
    with open(path, 'wb') as handle:
        handle.write(head)
        handle.truncate(size - len(tail))
        handle.seek(size - len(tail))
        handle.write(tail)
    return str(path)


@pytest.mark.parametrize('disk_format, head, tail, expected_size', [
    ('raw', b'', b'', 10 * GIB),
    ('qcow2', crafted.qcow2(size=20 * GIB), b'', 20 * GIB),
    ('vhd', b'', crafted.vhd_footer(10 * GIB - 512), 10 * GIB - 512),
])
def test_ten_gib_image_is_inspected_without_reading_it(tmp_path, bytes_read, disk_format, head,
                                                       tail, expected_size):
    path = _sparse_file(tmp_path, 'big', head, 10 * GIB, tail)
    started = time.monotonic()
    result = inspector.inspect_file(path, disk_format)
    assert result.virtual_size == expected_size
    assert bytes_read['bytes'] < 256 * 1024
    assert time.monotonic() - started < 5


def test_metadata_beyond_the_read_budget_is_refused(inspect, rejection, monkeypatch):
    image = crafted.vmdk_sparse()
    inspect(image, 'vmdk')
    monkeypatch.setattr(reader_module, 'READ_BUDGET', 4096)
    assert 'its metadata is larger than the inspector reads (4096 bytes at most)' in rejection(
        image, 'vmdk')
