"""API microversions: which version of its API a request asked for, negotiated up front.

A request names its version with ``OpenStack-API-Version: <service> X.Y``
(one header may name several services, comma-separated); none means the
service's minimum, ``latest`` its maximum, a malformed version is refused
with 400 and one outside the minimum–maximum range with 406.  Every
response says which version answered.

A service builds one ``Microversions`` and exposes its methods as the
functions of its own ``api/microversion.py``, which views call
(``at_least('2.47')``).
"""
import re

import flask

from common import exceptions

HEADER = 'OpenStack-API-Version'
_VERSION = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class NotAcceptableVersion(exceptions.NotAcceptable):
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum is %(min)s and '
               'maximum is %(max)s.')


def as_string(version):
    """``(2, 47)`` as ``'2.47'``."""
    return '%d.%d' % version


class Microversions:
    """The microversions of one service's API, with its Flask request hooks.

    :param service: the service type the header names (``compute``, ``volume``).
    :param min_version: the oldest version served, e.g. ``(3, 0)``; the
        version of a request that names none.
    :param max_version: the newest version served (``latest``).
    :param invalid_version: builds the 400 error for a malformed version
        from its text, with the message the service's clients know.
    :param legacy_header: a header holding the bare version (Nova's
        ``X-OpenStack-Nova-API-Version``): read when ``OpenStack-API-Version``
        does not name the service, and echoed in every response.
    """

    def __init__(self, service, min_version, max_version, invalid_version,
                 legacy_header=None):
        self.service = service
        self.min_version = min_version
        self.max_version = max_version
        self._invalid_version = invalid_version
        self._legacy_header = legacy_header

    def parse(self, text):
        """``'3.42'`` as ``(3, 42)``; ``'latest'`` as the newest version."""
        text = text.strip()
        if text.lower() == 'latest':
            return self.max_version
        match = _VERSION.match(text)
        if not match:
            raise self._invalid_version(text)
        return int(match.group(1)), int(match.group(2))

    def _requested(self):
        """The version text the request asked of this service, or ``None``."""
        for value in flask.request.headers.getlist(HEADER):
            for part in value.split(','):
                service, _, version = part.strip().partition(' ')
                if service.lower() == self.service and version.strip():
                    return version
        if self._legacy_header:
            return flask.request.headers.get(self._legacy_header) or None
        return None

    def negotiate(self):
        """``before_request``: put the request's version in ``flask.g.api_version``."""
        flask.g.api_version = self.min_version
        text = self._requested()
        if text is None:
            return
        version = self.parse(text)
        if not self.min_version <= version <= self.max_version:
            raise NotAcceptableVersion(version=as_string(version),
                                       min=as_string(self.min_version),
                                       max=as_string(self.max_version))
        flask.g.api_version = version

    def add_headers(self, response):
        """``after_request``: say which version answered (Tempest compares it verbatim)."""
        version = as_string(self.current())
        response.headers[HEADER] = f'{self.service} {version}'
        if self._legacy_header:
            response.headers[self._legacy_header] = version
            response.headers.add('Vary', f'{HEADER}, {self._legacy_header}')
        else:
            response.headers.add('Vary', HEADER)
        return response

    def current(self):
        """The request's version (the minimum before negotiation)."""
        return flask.g.get('api_version', self.min_version)

    def at_least(self, text):
        """True when the request's version is ``text`` (like ``'3.42'``) or later."""
        return self.current() >= self.parse(text)
