"""Microversion negotiation (``common/wsgi/microversion.py``) on a bare Flask app."""
import flask
import pytest

from common import exceptions
from common.wsgi import microversion


class Malformed(exceptions.BadRequest):
    pass


def _versions(legacy_header=None):
    return microversion.Microversions('block', (3, 0), (3, 9), legacy_header=legacy_header,
                                      invalid_version=lambda text: Malformed(text))


def _negotiated(versions, headers):
    app = flask.Flask(__name__)
    with app.test_request_context('/', headers=headers):
        versions.negotiate()
        response = versions.add_headers(flask.Response())
        return versions.current(), dict(response.headers)


@pytest.mark.parametrize('header, version', [
    (None, (3, 0)),
    ('block 3.4', (3, 4)),
    ('other 2.5, block latest', (3, 9)),
    ('other 2.5', (3, 0)),
    ('BLOCK  3.9 ', (3, 9)),
])
def test_the_services_version_is_negotiated_and_echoed(header, version):
    current, headers = _negotiated(_versions(), {'OpenStack-API-Version': header} if header else {})
    assert current == version
    assert headers['OpenStack-API-Version'] == 'block %d.%d' % version
    assert headers['Vary'] == 'OpenStack-API-Version'


def test_the_legacy_header_is_read_when_the_standard_one_names_other_services():
    versions = _versions(legacy_header='X-Legacy-Version')
    current, headers = _negotiated(versions, {'OpenStack-API-Version': 'other 2.5',
                                              'X-Legacy-Version': '3.2'})
    assert current == (3, 2)
    assert (headers['OpenStack-API-Version'], headers['X-Legacy-Version']) == ('block 3.2', '3.2')
    assert headers['Vary'] == 'OpenStack-API-Version, X-Legacy-Version'
    current, _ = _negotiated(versions, {'OpenStack-API-Version': 'block 3.1',
                                        'X-Legacy-Version': '3.2'})
    assert current == (3, 1)


@pytest.mark.parametrize('header', ['block 2.9', 'block 3.10', 'block 4.0'])
def test_a_version_out_of_range_is_406(header):
    with pytest.raises(microversion.NotAcceptableVersion,
                       match='Minimum is 3.0 and maximum is 3.9'):
        _negotiated(_versions(), {'OpenStack-API-Version': header})


@pytest.mark.parametrize('header', ['block 3', 'block 3.01', 'block v3.1', 'block 3.x'])
def test_a_malformed_version_is_the_services_error(header):
    with pytest.raises(Malformed, match=header.split(' ')[1]):
        _negotiated(_versions(), {'OpenStack-API-Version': header})


def test_at_least_compares_with_the_requests_version():
    versions = _versions()
    with flask.Flask(__name__).test_request_context(
            '/', headers={'OpenStack-API-Version': 'block 3.4'}):
        versions.negotiate()
        assert versions.at_least('3.4') and not versions.at_least('3.5')
