"""The exception hierarchy every service builds on.

A service names its errors ``<Noun><Problem>`` and derives them from one of
the categories here; the app factory turns any of them into the service's
fault body with the category's status code.
"""


class StratusError(Exception):
    """Base of every error that maps onto an HTTP status.

    ``msg_fmt`` is formatted with the keyword arguments, so a subclass can
    say ``msg_fmt = 'Could not find project: %(project_id)s.'``.
    """
    code = 500
    title = 'Internal Server Error'
    msg_fmt = 'An unexpected error prevented the server from fulfilling the request.'
    headers = None

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.msg_fmt % kwargs if kwargs else self.msg_fmt
        self.message = message
        super().__init__(message)


class BadRequest(StratusError):
    code = 400
    title = 'Bad Request'
    msg_fmt = 'The request is malformed or invalid.'


class ValidationError(BadRequest):
    msg_fmt = 'Invalid input for field %(field)s: %(detail)s'


class Unauthorized(StratusError):
    code = 401
    title = 'Unauthorized'
    msg_fmt = 'The request you have made requires authentication.'


class Forbidden(StratusError):
    code = 403
    title = 'Forbidden'
    msg_fmt = 'You are not authorized to perform the requested action.'


class PolicyNotAuthorized(Forbidden):
    msg_fmt = 'Policy does not allow %(action)s to be performed.'


class NotFound(StratusError):
    code = 404
    title = 'Not Found'
    msg_fmt = 'Could not find the requested resource.'


class MethodNotAllowed(StratusError):
    code = 405
    title = 'Method Not Allowed'
    msg_fmt = 'The method is not allowed for the requested URL.'


class NotAcceptable(StratusError):
    code = 406
    title = 'Not Acceptable'
    msg_fmt = 'The requested version is not supported.'


class Conflict(StratusError):
    code = 409
    title = 'Conflict'
    msg_fmt = 'The request conflicts with the current state of the resource.'


class PayloadTooLarge(StratusError):
    code = 413
    title = 'Request Entity Too Large'
    msg_fmt = 'The request body is larger than %(limit)s bytes.'


class UnsupportedMediaType(StratusError):
    code = 415
    title = 'Unsupported Media Type'
    msg_fmt = 'Content type %(content_type)s is not supported.'


class ServiceUnavailable(StratusError):
    code = 503
    title = 'Service Unavailable'
    msg_fmt = 'The service is temporarily unavailable.'
