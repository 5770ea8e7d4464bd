"""Token validation for every service API except identity itself.

keystonemiddleware's ``auth_token`` validates the ``X-Auth-Token`` (and an
``X-Service-Token``) against the identity service and puts the result in
the WSGI environment; ``context_from_environ`` turns that into a
``RequestContext``.  The middleware runs with ``delay_auth_decision`` so
that public routes (version documents, ``/healthz``) need no token and
the service answers 401 in its own fault dialect.

Token validation results are cached for ``[keystone_authtoken]
token_cache_time`` seconds; Stratus defaults it to 10 s (upstream: 300 s)
so that a revoked token stops working everywhere within 10 s.
"""
from keystonemiddleware import auth_token
from keystonemiddleware.auth_token import _opts as auth_token_opts

from common import exceptions
from common.context import RequestContext

TOKEN_CACHE_SECONDS = 10


def register_opts(conf):
    for group, opts in auth_token_opts.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_default('token_cache_time', TOKEN_CACHE_SECONDS, group='keystone_authtoken')


def wrap(wsgi_app, conf):
    """``wsgi_app`` behind keystonemiddleware, configured from ``conf``."""
    return auth_token.AuthProtocol(wsgi_app, {'oslo_config_config': conf,
                                              'delay_auth_decision': True})


def context_from_environ(environ):
    """The ``RequestContext`` of a request that ``auth_token`` has seen.

    With ``delay_auth_decision`` the middleware leaves the verdict to us; it
    is the one it would have given itself: the user token must be valid, and
    so must the ``X-Service-Token`` when one was sent.

    :raises Unauthorized: when the token was missing or invalid, or the
        service token was invalid.
    """
    if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed' or \
            environ.get('HTTP_X_SERVICE_IDENTITY_STATUS', 'Confirmed') != 'Confirmed':
        raise exceptions.Unauthorized()
    ctx = RequestContext.from_environ(environ)
    ctx.auth_plugin = environ.get('keystone.token_auth')
    return ctx


def authenticate(request):
    """``authenticate`` hook for ``common.wsgi.app.create_base_app``."""
    return context_from_environ(request.environ)

