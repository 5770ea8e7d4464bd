"""The Flask app factory every service API starts from.

It gives each API the same behaviour at the edges: request ids in and out,
one access-log line per request, errors rendered as the service's fault
bodies (never a stack trace), ``/healthz`` and ``/metrics`` outside
authentication, a request-body size limit, and a check that every
non-public route enforced a policy.
"""
import logging
import re
import time
import uuid

import flask
from werkzeug import exceptions as http_exceptions

from common import exceptions
from common.context import RequestContext
from common.wsgi import faults
from common.wsgi.metrics import RequestMetrics

LOG = logging.getLogger(__name__)
REQUEST_ID_HEADER = 'X-Openstack-Request-Id'
_GLOBAL_REQUEST_ID = re.compile(r'^req-[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$')


def public(view):
    """Mark a view (function or ``MethodView`` class) as open without a token."""
    view.public = True
    return view


def is_public(view_func):
    view_class = getattr(view_func, 'view_class', None)
    return bool(getattr(view_func, 'public', False) or getattr(view_class, 'public', False))


def mark_policy_checked():
    """Called by the policy layer; the audit below looks for it."""
    flask.g.policy_checked = True


def context():
    """The authenticated ``RequestContext`` of the current request."""
    return flask.g.context


class ServiceApp(flask.Flask):
    """A Flask app that knows its service name, config and fault dialect."""

    def __init__(self, import_name, *, service, conf, fault_style):
        super().__init__(import_name)
        self.service = service
        self.conf = conf
        self.fault_style = fault_style
        self.authenticate = None
        self.metrics = RequestMetrics(service)
        self.access_log = logging.getLogger(f'stratus.{service}.access')


def create_base_app(import_name, *, service, conf, fault_style, authenticate,
                    health_check=None):
    """Build a service's app with the common behaviour installed.

    :param service: the service name (``identity``, ``compute`` …), used in
        logs and metric labels.
    :param conf: the service's ``ConfigOpts``.
    :param fault_style: a key of ``common.wsgi.faults.FAULT_STYLES``.
    :param authenticate: ``callable(request) -> RequestContext`` used for
        every non-public route; it raises ``Unauthorized``.
    :param health_check: optional ``callable()`` that raises when the
        service cannot serve (for example its database is unreachable).
    """
    app = ServiceApp(import_name, service=service, conf=conf, fault_style=fault_style)
    app.authenticate = authenticate
    app.config['MAX_CONTENT_LENGTH'] = conf.api.max_request_body_size
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_error_handler(exceptions.StratusError, _handle_stratus_error)
    app.register_error_handler(http_exceptions.HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
    _add_operational_routes(app, health_check)
    return app


def _start_request():
    flask.g.started = time.monotonic()
    flask.g.policy_checked = False
    incoming = flask.request.headers.get(REQUEST_ID_HEADER, '')
    global_id = incoming if _GLOBAL_REQUEST_ID.match(incoming) else None
    flask.g.request_id = 'req-' + str(uuid.uuid4())
    flask.g.context = RequestContext.for_request(flask.g.request_id, global_id)
    view = flask.current_app.view_functions.get(flask.request.endpoint)
    if flask.request.endpoint is None or is_public(view):
        return
    ctx = flask.current_app.authenticate(flask.request)
    ctx.request_id = flask.g.request_id
    ctx.global_request_id = global_id
    ctx.update_store()
    flask.g.context = ctx


def _answered_by_flask():
    """True for an ``OPTIONS`` request Flask answered itself, without the view."""
    rule = flask.request.url_rule
    return flask.request.method == 'OPTIONS' and getattr(rule, 'provide_automatic_options',
                                                         False)


def _finish_request(response):
    app = flask.current_app
    response.headers[REQUEST_ID_HEADER] = flask.g.get('request_id', '')
    view = app.view_functions.get(flask.request.endpoint)
    if (response.status_code < 400 and view is not None and not is_public(view)
            and not _answered_by_flask() and not flask.g.get('policy_checked')):
        # A route that answered without asking policy is a bug; tests turn it
        # into a failure, production logs it loudly.
        LOG.error('Route %s answered without a policy check', flask.request.endpoint)
        if app.testing:
            raise AssertionError(f'route {flask.request.endpoint} skipped policy enforcement')
    elapsed = time.monotonic() - flask.g.get('started', time.monotonic())
    route = flask.request.url_rule.rule if flask.request.url_rule else '<unmatched>'
    app.metrics.observe(flask.request.method, route, response.status_code, elapsed)
    ctx = flask.g.get('context')
    app.access_log.info(
        '%s %s status=%s len=%s time=%.4f user=%s project=%s',
        flask.request.method, flask.request.full_path.rstrip('?'),
        response.status_code, response.content_length or 0, elapsed,
        getattr(ctx, 'user_id', None) or '-', getattr(ctx, 'project_id', None) or '-')
    return response


def _fault(code, title, message, error_type, headers=None):
    return faults.fault_response(flask.current_app.fault_style, code, title,
                                 message, error_type, headers)


def _handle_stratus_error(error):
    if error.code >= 500:
        LOG.error('%s: %s', type(error).__name__, error.message)
    else:
        LOG.debug('%s: %s', type(error).__name__, error.message)
    return _fault(error.code, error.title, error.message, type(error).__name__,
                  error.headers)


def _handle_http_exception(error):
    if isinstance(error, http_exceptions.RequestEntityTooLarge):
        # The request's own limit: a view may raise it (image uploads do).
        error = exceptions.PayloadTooLarge(limit=flask.request.max_content_length)
        return _handle_stratus_error(error)
    headers = {}
    if isinstance(error, http_exceptions.MethodNotAllowed) and error.valid_methods:
        headers['Allow'] = ', '.join(error.valid_methods)
    if isinstance(error, http_exceptions.RequestedRangeNotSatisfiable) and \
            error.length is not None:
        # RFC 9110 §15.5.17: a 416 says how long the representation is.
        headers['Content-Range'] = f'bytes */{error.length}'
    return _fault(error.code, error.name, error.description, type(error).__name__, headers)


def _handle_unexpected(error):
    # Bad input is refused by validation with a 4xx before it reaches code
    # that could fail on it; anything arriving here is a bug of ours.
    LOG.exception('Unexpected error answering %s %s', flask.request.method, flask.request.path)
    return _fault(500, 'Internal Server Error',
                  'An unexpected error prevented the server from fulfilling '
                  'the request.', 'InternalError')


def _add_operational_routes(app, health_check):

    @public
    def healthz():
        if health_check is not None:
            try:
                health_check()
            except Exception as exc:  # any failure means "not healthy"
                LOG.warning('Health check failed: %s', exc)
                return flask.jsonify(status='unavailable', reason=str(exc)), 503
        return flask.jsonify(status='ok')

    @public
    def metrics():
        return flask.Response(app.metrics.render(), content_type=app.metrics.content_type)

    app.add_url_rule('/healthz', 'healthz', healthz)
    app.add_url_rule('/metrics', 'metrics', metrics)
