"""The inspector against images made by the real ``qemu-img``.

qemu-img is both what the attacks target and what consumers run, so the
inspector must agree with it: every image qemu-img makes in an accepted
form must pass with exactly the virtual size ``qemu-img info`` reports,
and the os-test-images recipes for insecure and unusable images
(reliability anchors S1) must be refused, also when declared ``raw``.

qemu-img is required, not optional: without it these tests fail with a
message saying so, because a skipped security test reads as a pass.
Wherever they run, ``qemu-utils`` must be installed.
"""
import json
import shutil
import struct
import subprocess

import pytest

from image import inspector
from tests.unit.image.inspector import crafted

SIZE = '10M'


@pytest.fixture(scope='module')
def qemu_img():
    path = shutil.which('qemu-img')
    if path is None:
        pytest.fail('qemu-img is not installed; these tests need it '
                    '(apt-get install -y qemu-utils)', pytrace=False)
    return path


@pytest.fixture
def make(qemu_img, tmp_path):
    """Run ``qemu-img create`` in ``tmp_path`` and return the image path."""
    def create(name, fmt, *options, size=SIZE):
        path = tmp_path / name
        subprocess.run([qemu_img, 'create', '-q', '-f', fmt, *options, str(path), size],
                       check=True, capture_output=True, cwd=tmp_path)
        return path
    return create


def _qemu_virtual_size(qemu_img, path, fmt):
    info = subprocess.run([qemu_img, 'info', '-f', fmt, '--output=json', str(path)],
                          check=True, capture_output=True, text=True)
    return json.loads(info.stdout)['virtual-size']


def _reason(path, disk_format):
    with pytest.raises(inspector.ImageRejected) as caught:
        inspector.inspect_file(str(path), disk_format)
    return caught.value.reason


# (qemu format, disk_format, create options, size)
ACCEPTED = [
    ('qcow2', 'qcow2', (), SIZE),
    ('qcow2', 'qcow2', (), '100G'),
    ('qcow2', 'qcow2', ('-o', 'compat=0.10'), SIZE),
    ('qcow2', 'qcow2', ('-o', 'cluster_size=2M,extended_l2=on'), '1T'),
    ('vmdk', 'vmdk', ('-o', 'subformat=monolithicSparse'), SIZE),
    ('vmdk', 'vmdk', ('-o', 'subformat=monolithicSparse'), '100G'),
    ('vmdk', 'vmdk', ('-o', 'subformat=streamOptimized'), SIZE),
    ('vpc', 'vhd', ('-o', 'subformat=dynamic'), SIZE),
    ('vpc', 'vhd', ('-o', 'subformat=dynamic'), '100G'),
    ('vpc', 'vhd', ('-o', 'subformat=fixed'), SIZE),
    ('vpc', 'vhd', ('-o', 'subformat=fixed,force_size=on'), SIZE),
    ('vhdx', 'vhdx', (), SIZE),
    ('vhdx', 'vhdx', (), '100G'),
    ('vhdx', 'vhdx', ('-o', 'subformat=fixed'), SIZE),
    ('vdi', 'vdi', (), SIZE),
    ('vdi', 'vdi', (), '100G'),
    ('vdi', 'vdi', ('-o', 'static=on'), SIZE),
    ('raw', 'raw', (), SIZE),
]
_IDS = [f'{fmt}-{"-".join(options)}-{size}' for fmt, _, options, size in ACCEPTED]


@pytest.mark.parametrize('fmt, disk_format, options, size', ACCEPTED, ids=_IDS)
def test_created_image_is_accepted_with_qemus_virtual_size(qemu_img, make, fmt, disk_format,
                                                            options, size):
    path = make(f'image.{fmt}', fmt, *options, size=size)
    result = inspector.inspect_file(str(path), disk_format)
    assert result.format == disk_format
    assert result.virtual_size == _qemu_virtual_size(qemu_img, path, fmt)


@pytest.mark.parametrize('fmt, disk_format, options', [
    ('qcow2', 'qcow2', ()), ('qcow2', 'qcow2', ('-c',)),
    ('vmdk', 'vmdk', ('-o', 'subformat=monolithicSparse')),
    ('vmdk', 'vmdk', ('-o', 'subformat=streamOptimized')),
    ('vpc', 'vhd', ()), ('vhdx', 'vhdx', ()), ('vdi', 'vdi', ()),
], ids=lambda value: '-'.join(value) if isinstance(value, tuple) else value)
def test_converted_image_with_data_is_accepted(qemu_img, tmp_path, fmt, disk_format, options):
    source = tmp_path / 'source.raw'
    with open(source, 'wb') as handle:
        handle.write(bytes(range(256)) * 8192)
        handle.truncate(64 * 1024 * 1024)
    target = tmp_path / f'converted.{fmt}'
    subprocess.run([qemu_img, 'convert', '-f', 'raw', '-O', fmt, *options, str(source),
                    str(target)], check=True, capture_output=True)
    result = inspector.inspect_file(str(target), disk_format)
    assert result.virtual_size == _qemu_virtual_size(qemu_img, target, fmt)


@pytest.mark.parametrize('fmt, options, detected', [
    ('qcow2', (), 'qcow2'),
    ('vmdk', ('-o', 'subformat=monolithicSparse'), 'vmdk'),
    ('vpc', (), 'vhd'),
    ('vhdx', (), 'vhdx'),
    ('vdi', (), 'vdi'),
    ('qed', (), 'qed'),
])
def test_created_image_declared_raw_is_refused(make, fmt, options, detected):
    # OSSA-2024-002: the format must be the declared one.
    path = make(f'image.{fmt}', fmt, *options)
    assert _reason(path, 'raw') == f'Image rejected: the data is {detected} but disk_format is raw'


def test_raw_image_declared_qcow2_is_refused(make):
    path = make('image.raw', 'raw')
    assert _reason(path, 'qcow2') == 'Image rejected: the data is raw but disk_format is qcow2'


# --- the os-test-images manifest: insecure and unusable images -------------

def test_qcow_with_backing(make, tmp_path):
    secret = tmp_path / 'hosts'
    secret.write_text('127.0.0.1 localhost\n')
    path = make('qcow-with-backing.qcow2', 'qcow2', '-F', 'raw', '-b', str(secret))
    assert _reason(path, 'qcow2') == \
        'Image rejected: qcow2 images with a backing file are not allowed'
    assert 'the data is qcow2 but disk_format is raw' in _reason(path, 'raw')


def test_qcow_with_datafile(make, tmp_path):
    path = make('qcow-with-datafile.qcow2', 'qcow2', '-o',
                'data_file=qcow-data-file,data_file_raw=on')
    (tmp_path / 'qcow-data-file').unlink()
    assert _reason(path, 'qcow2') == \
        'Image rejected: qcow2 images with an external data file are not allowed'
    assert 'the data is qcow2 but disk_format is raw' in _reason(path, 'raw')


def test_iso_with_qcow2_in_system(make, tmp_path):
    qcow2 = make('tmp.qcow', 'qcow2').read_bytes()
    path = tmp_path / 'iso-with-qcow2-in-system.iso'
    iso = crafted.iso(file_blocks=512)
    path.write_bytes(qcow2[:32 * 1024] + iso[32 * 1024:])
    for disk_format in ('iso', 'qcow2', 'raw'):
        assert _reason(path, disk_format) == (
            'Image rejected: the data matches more than one format (iso, qcow2); '
            'one may be hidden inside the other')


@pytest.mark.parametrize('leak', [False, True], ids=['monolithicFlat', 'monolithicFlat-leak'])
def test_vmdk_monolithic_flat(make, tmp_path, leak):
    path = make('vmdk-monolithicFlat.vmdk', 'vmdk', '-o', 'subformat=monolithicFlat')
    flat = 'vmdk-monolithicFlat-flat.vmdk'
    (tmp_path / flat).unlink()
    if leak:
        path.write_bytes(path.read_bytes().replace(flat.encode(), b'/etc/hosts'))
    target = '/etc/hosts' if leak else flat
    assert _reason(path, 'vmdk').startswith(
        'Image rejected: the VMDK descriptor references a file outside the image '
        f"(extent '{target}')")
    assert _reason(path, 'raw') == 'Image rejected: the data is vmdk but disk_format is raw'


def test_vmdk_sparse_with_url_backing(make):
    name = 'vmdk-sparse-with-url-backing.vmdk'
    path = make(name, 'vmdk', '-o', 'subformat=monolithicSparse')
    data = bytearray(path.read_bytes())
    sector = bytes(data[512:1024]).replace(name.encode(), b'/etc/hosts')
    data[512:512 + len(sector)] = sector
    path.write_bytes(bytes(data))
    assert _reason(path, 'vmdk') == ('Image rejected: the VMDK descriptor references a file '
                                     "outside the image (extent '/etc/hosts')")
    assert _reason(path, 'raw') == 'Image rejected: the data is vmdk but disk_format is raw'


def test_vmdk_sparse_with_footer_is_usable(qemu_img, make):
    # os-test-images vmdk-sparse-with-footer: the header defers to a footer.
    path = make('vmdk-sparse-with-footer.vmdk', 'vmdk', '-o', 'subformat=monolithicSparse')
    data = path.read_bytes()
    header = data[:512]
    footered = data[:56] + struct.pack('<Q', 0xffffffffffffffff) + data[64:]
    footered += struct.pack('<QII', 0, 0, 3) + bytes(496) + header + bytes(512)
    path.write_bytes(footered)
    result = inspector.inspect_file(str(path), 'vmdk')
    assert result.virtual_size == _qemu_virtual_size(qemu_img, path, 'vmdk')


def test_qed_is_refused(make):
    path = make('standard.qed', 'qed')
    assert _reason(path, 'qcow2') == 'Image rejected: the data is qed but disk_format is qcow2'
