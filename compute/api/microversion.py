"""Compute API microversions: negotiation and checks.

A request names its version with ``OpenStack-API-Version: compute X.Y`` or
the legacy ``X-OpenStack-Nova-API-Version: X.Y`` (Tempest sends only that
one); none means 2.1, ``latest`` means ``MAX_VERSION``, anything outside
``MIN_VERSION``–``MAX_VERSION`` is refused with 406.  The version is echoed
in both headers, so that every client finds the one it reads.

The API behaves exactly as its requested version specifies (response
shapes and accepted bodies); views and schemas ask ``at_least('2.47')``.
"""
import re

import flask

from common import exceptions

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 60)
NEW_HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
_VERSION = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class NotAcceptableVersion(exceptions.NotAcceptable):
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum is %(min)s '
               'and maximum is %(max)s.')


def as_string(version):
    return '%d.%d' % version


def _parse(text):
    text = text.strip()
    if text.lower() == 'latest':
        return MAX_VERSION
    match = _VERSION.match(text)
    if not match:
        raise exceptions.BadRequest(f'API version string {text} format is not valid. '
                                    "It must be like 'X.Y' or 'latest'.")
    return int(match.group(1)), int(match.group(2))


def _requested():
    """The version text the request asked for, or ``None``."""
    for value in flask.request.headers.getlist(NEW_HEADER):
        for part in value.split(','):
            service, _, version = part.strip().partition(' ')
            if service.lower() == 'compute' and version:
                return version
    legacy = flask.request.headers.get(LEGACY_HEADER)
    return legacy or None


def negotiate():
    """``before_request``: put the request's version in ``flask.g.api_version``."""
    flask.g.api_version = MIN_VERSION
    text = _requested()
    if text is None:
        return
    version = _parse(text)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptableVersion(version=as_string(version), min=as_string(MIN_VERSION),
                                   max=as_string(MAX_VERSION))
    flask.g.api_version = version


def add_headers(response):
    """``after_request``: say which version answered."""
    version = as_string(flask.g.get('api_version', MIN_VERSION))
    response.headers[NEW_HEADER] = f'compute {version}'
    response.headers[LEGACY_HEADER] = version
    response.headers.add('Vary', f'{NEW_HEADER}, {LEGACY_HEADER}')
    return response


def current():
    return flask.g.get('api_version', MIN_VERSION)


def at_least(text):
    """True when the request's version is ``text`` (like ``'2.47'``) or later."""
    return current() >= _parse(text)


def require(text):
    """Raise 404 (as Nova does) when a route needs version ``text`` or later."""
    if not at_least(text):
        raise exceptions.NotFound(f'The resource could not be found at version '
                                  f'{as_string(current())}; it needs {text}.')
