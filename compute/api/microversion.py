"""Compute API microversions: ``OpenStack-API-Version: compute X.Y``.

Negotiated as ``common.wsgi.microversion`` describes; none means 2.1.  The
legacy ``X-OpenStack-Nova-API-Version: X.Y`` is read too (Tempest sends
only that one), and the version is echoed in both headers, so that every
client finds the one it reads.

The API behaves exactly as its requested version specifies (response
shapes and accepted bodies); views and schemas ask ``at_least('2.47')``.
"""
from common import exceptions
from common.wsgi import microversion

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 60)

_VERSIONS = microversion.Microversions(
    'compute', MIN_VERSION, MAX_VERSION, legacy_header='X-OpenStack-Nova-API-Version',
    invalid_version=lambda text: exceptions.BadRequest(
        f"API version string {text} format is not valid. It must be like 'X.Y' or 'latest'."))

as_string = microversion.as_string
negotiate = _VERSIONS.negotiate
add_headers = _VERSIONS.add_headers
current = _VERSIONS.current
at_least = _VERSIONS.at_least


def require(text):
    """Raise 404 (as Nova does) when a route needs version ``text`` or later."""
    if not at_least(text):
        raise exceptions.NotFound(f'The resource could not be found at version '
                                  f'{as_string(current())}; it needs {text}.')
