"""CRC-32C against the standard check values."""
import pytest

from image.inspector.crc32c import crc32c


@pytest.mark.parametrize('data, expected', [
    (b'', 0),
    (b'123456789', 0xe3069283),
    (bytes(32), 0x8a9136aa),
    (b'\xff' * 32, 0x62a8ab43),
])
def test_check_values(data, expected):
    assert crc32c(data) == expected
