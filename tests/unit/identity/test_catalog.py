"""URL substitution in the service catalog (``identity/catalog.py``)."""
import pytest

from identity.catalog import substitute_url


@pytest.mark.parametrize('url, expected', [
    ('http://h:8776/v3/$(project_id)s', 'http://h:8776/v3/p1'),
    ('http://h:8776/v3/%(project_id)s', 'http://h:8776/v3/p1'),
    ('http://h:8776/v3/$(tenant_id)s', 'http://h:8776/v3/p1'),
    ('http://h:8776/v3/%(tenant_id)s/x/$(project_id)s', 'http://h:8776/v3/p1/x/p1'),
    ('http://h:8774/v2.1', 'http://h:8774/v2.1'),
    ('http://h/$(user_id)s', 'http://h/$(user_id)s'),
])
def test_substitution(url, expected):
    assert substitute_url(url, 'p1') == expected


def test_no_project_to_fill_in():
    assert substitute_url('http://h:8776/v3/$(project_id)s', None) is None
    assert substitute_url('http://h:8774/v2.1', None) == 'http://h:8774/v2.1'
