"""The bounded reader: short reads at the end, exact reads, the budget."""
import pytest

from image.inspector import ImageRejected
from image.inspector import reader as reader_module
from image.inspector.reader import ImageReader


@pytest.fixture
def ten_bytes(tmp_path):
    path = tmp_path / 'ten'
    path.write_bytes(b'0123456789')
    return str(path)


def test_peek_returns_what_exists(ten_bytes):
    with ImageReader.open(ten_bytes) as reader:
        assert reader.size == 10
        assert reader.peek(8, 100) == b'89'
        assert reader.peek(10, 4) == b''
        assert reader.peek(-1, 4) == b''


def test_read_returns_exactly_the_region(ten_bytes):
    with ImageReader.open(ten_bytes) as reader:
        assert reader.read(2, 3, 'thing') == b'234'


def test_read_past_the_end_names_the_structure(ten_bytes):
    with ImageReader.open(ten_bytes) as reader:
        with pytest.raises(ImageRejected) as caught:
            reader.read(8, 4, 'widget table')
    assert caught.value.reason == (
        'Image rejected: the widget table lies outside the file (at byte 8, 4 bytes, but the '
        'file has 10 bytes); the file is truncated or its header is wrong')


@pytest.mark.parametrize('offset, length', [(-1, 2), (0, -1), (0, 11), (11, 0)])
def test_require_refuses_regions_outside_the_file(ten_bytes, offset, length):
    with ImageReader.open(ten_bytes) as reader:
        with pytest.raises(ImageRejected, match='lies outside the file'):
            reader.require(offset, length, 'region')


def test_reads_are_charged_against_the_budget(ten_bytes, monkeypatch):
    monkeypatch.setattr(reader_module, 'READ_BUDGET', 6)
    with ImageReader.open(ten_bytes) as reader:
        assert reader.peek(0, 4) == b'0123'
        with pytest.raises(ImageRejected, match='larger than the inspector reads'):
            reader.peek(4, 4)
