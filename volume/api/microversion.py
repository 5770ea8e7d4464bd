"""Block Storage API microversions: ``OpenStack-API-Version: volume 3.X``.

Negotiated as ``common.wsgi.microversion`` describes, as Cinder does; none
means 3.0.  ``MAX_VERSION`` stays at 3.65 (API_COMPAT §6): from 3.66 on,
the CLI stops sending ``force`` with snapshot creates while the SDK keeps
asking for 3.65, and snapshots of attached volumes would be refused.
"""
from common import exceptions
from common.wsgi import microversion

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 65)


class InvalidVersionString(exceptions.BadRequest):
    msg_fmt = ("API Version String %(version)s is of invalid format. Must be of format "
               "MajorNum.MinorNum.")


_VERSIONS = microversion.Microversions(
    'volume', MIN_VERSION, MAX_VERSION,
    invalid_version=lambda text: InvalidVersionString(version=text))

as_string = microversion.as_string
negotiate = _VERSIONS.negotiate
add_headers = _VERSIONS.add_headers
current = _VERSIONS.current
at_least = _VERSIONS.at_least
