"""Errors the SDK raises.

Every error is an ``SDKError``.  A refused HTTP request is an ``HttpError``
of the class of its status (``NotFound``, ``Conflict`` …) carrying the
server's own message, parsed from whichever OpenStack fault dialect the
service speaks, and the request id to look up in the service's log.
"""
import contextlib
import re

from keystoneauth1 import exceptions as ks_exc


class SDKError(Exception):
    """Base of every SDK error; ``message`` is what a user should read."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


class ConfigError(SDKError):
    """The cloud configuration is missing, unreadable or incomplete."""


class DuplicateResource(SDKError):
    """A name given to a ``find_*`` call matches more than one resource."""


class HttpError(SDKError):
    """The server answered with an error status.

    :ivar status_code: the HTTP status, or ``None`` for an error found on
        the client side (a ``find_*`` without a match).
    :ivar request_id: the ``X-OpenStack-Request-ID`` of the response.
    """

    def __init__(self, message, *, status_code=None, request_id=None, url=None, method=None):
        self.status_code = status_code
        self.request_id = request_id
        self.url = url
        self.method = method
        super().__init__(message)

    def __str__(self):
        text = self.message
        if self.status_code is not None:
            text += f' (HTTP {self.status_code})'
        if self.request_id:
            text += f' (Request-ID: {self.request_id})'
        return text


class BadRequest(HttpError):
    pass


class Unauthorized(HttpError):
    pass


class Forbidden(HttpError):
    pass


class NotFound(HttpError):
    pass


class MethodNotAllowed(HttpError):
    pass


class Conflict(HttpError):
    pass


class PayloadTooLarge(HttpError):
    pass


class ServerError(HttpError):
    """Any 5xx answer."""


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
              405: MethodNotAllowed, 409: Conflict, 413: PayloadTooLarge}
_REQUEST_ID_HEADERS = ('X-OpenStack-Request-ID', 'X-Compute-Request-ID')
_MAX_TEXT = 500


def _nested_message(body):
    """The message of a JSON fault body, in any dialect OpenStack services use.

    Keystone ``{"error": {"message"}}``, Neutron ``{"NeutronError":
    {"message", "detail"}}``, Nova/Cinder/Glance ``{"<faultName>":
    {"message"}}``, or a bare ``{"message"}``.
    """
    if not isinstance(body, dict):
        return None
    if isinstance(body.get('message'), str):
        return body['message']
    neutron = body.get('NeutronError')
    if isinstance(neutron, dict) and neutron.get('message'):
        detail = neutron.get('detail')
        return f"{neutron['message']}: {detail}" if detail else neutron['message']
    if isinstance(neutron, str):
        return neutron
    for value in body.values():
        if isinstance(value, dict) and isinstance(value.get('message'), str):
            return value['message']
    return None


def fault_message(response):
    """What the server said went wrong, as one line of text."""
    if 'json' in response.headers.get('Content-Type', ''):
        try:
            message = _nested_message(response.json())
        except ValueError:
            message = None
        if message:
            return message
    text = re.sub(r'<[^>]+>', ' ', response.text or '')
    text = ' '.join(text.split())[:_MAX_TEXT]
    return text or response.reason or f'HTTP {response.status_code}'


def from_response(response):
    """The ``HttpError`` describing an error ``requests.Response``."""
    status = response.status_code
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else HttpError)
    request_id = next((response.headers[h] for h in _REQUEST_ID_HEADERS
                       if h in response.headers), None)
    request = response.request
    return cls(fault_message(response), status_code=status, request_id=request_id,
               url=response.url, method=request.method if request is not None else None)


@contextlib.contextmanager
def translated():
    """Raise keystoneauth1's errors (authentication, catalog, connection) as SDK errors."""
    try:
        yield
    except ks_exc.HttpError as exc:
        if exc.response is not None:
            raise from_response(exc.response) from exc
        cls = _BY_STATUS.get(exc.http_status, HttpError)
        raise cls(exc.message, status_code=exc.http_status) from exc
    except ks_exc.ClientException as exc:
        raise SDKError(str(exc)) from exc
