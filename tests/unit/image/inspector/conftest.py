"""Fixtures of the inspector tests: crafted bytes in, inspection out."""
import pytest

from image.inspector import ImageRejected
from image.inspector import inspect_file


@pytest.fixture
def image_path(tmp_path):
    """Write bytes to a fresh file under ``tmp_path`` and return its path."""
    counter = iter(range(1_000_000))

    def write(data):
        path = tmp_path / f'image-{next(counter)}'
        path.write_bytes(data)
        return str(path)
    return write


@pytest.fixture
def inspect(image_path):
    """Inspect bytes as if uploaded with ``disk_format``."""
    def run(data, disk_format):
        return inspect_file(image_path(data), disk_format)
    return run


@pytest.fixture
def rejection(inspect):
    """The reason the inspector gives for refusing bytes; fails if it accepts them."""
    def run(data, disk_format):
        with pytest.raises(ImageRejected) as caught:
            inspect(data, disk_format)
        return caught.value.reason
    return run
