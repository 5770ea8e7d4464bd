"""SDK connections a service makes: as itself, or for the user of a request.

Services call each other through their public REST APIs (ARCHITECTURE §3),
with endpoints from the identity catalog.  A call made for a user carries
the user's token *and* the calling service's own token as
``X-Service-Token``, so the callee knows both who asked and which service
relayed it (its policy can require the ``service`` role of the relay).

The service's own credentials are the ``[service_user]`` options
(keystoneauth1's auth and session options, registered by
``common.config.register_common_opts``), for example::

    [service_user]
    auth_type = password
    auth_url = http://controller:5000/v3
    username = compute
    password = …
    project_name = service
    user_domain_name = Default
    project_domain_name = Default
    region_name = RegionOne

Its session and auth plugin are made once per process (per ``conf``): the
service token is reused until it nears expiry and HTTP connections are
pooled, whichever user a call is made for.
"""
import threading

from keystoneauth1 import loading as ks_loading
from keystoneauth1 import service_token
from keystoneauth1.identity import access as access_plugin
from keystoneauth1.identity import v3
from oslo_config import cfg

from common.config import SERVICE_USER_GROUP
from stratus import Connection

_opts = [
    cfg.StrOpt('region_name',
               help='Region whose endpoints this service calls, when the catalog '
                    'lists several.  Unset: any region.'),
    cfg.ListOpt('valid_interfaces', default=['internal', 'public'],
                item_type=cfg.types.String(choices=['public', 'internal', 'admin']),
                help='Catalog interfaces of the endpoints this service calls, in '
                     'order of preference.'),
]


def register_opts(conf):
    conf.register_opts(_opts, group=SERVICE_USER_GROUP)


def list_opts():
    return [(SERVICE_USER_GROUP, _opts)]


# id(conf) -> (conf, auth plugin, session); holding conf keeps its id from being reused.
_credentials = {}
_credentials_lock = threading.Lock()


def _service_credentials(conf):
    """``(auth plugin, session)`` of the service's own user, made once per ``conf``."""
    with _credentials_lock:
        if id(conf) not in _credentials:
            register_opts(conf)
            auth = ks_loading.load_auth_from_conf_options(conf, SERVICE_USER_GROUP)
            session = ks_loading.load_session_from_conf_options(conf, SERVICE_USER_GROUP,
                                                                auth=auth)
            _credentials[id(conf)] = (conf, auth, session)
        _conf, auth, session = _credentials[id(conf)]
    return auth, session


def _endpoint_choice(conf):
    group = conf[SERVICE_USER_GROUP]
    return {'region_name': group.region_name, 'interface': group.valid_interfaces}


def service_connection(conf):
    """A ``Connection`` authenticated as the service itself (``[service_user]``).

    For what a service does on its own behalf: registering its catalog
    entries at start-up, periodic tasks.

    :raises keystoneauth1.exceptions.MissingAuthPlugin: ``[service_user]``
        has no ``auth_type``.
    """
    auth, session = _service_credentials(conf)
    return Connection(session=session, auth=auth, **_endpoint_choice(conf))


def _user_auth(service_auth, ctx):
    """The auth plugin of the user of ``ctx``, without a new token when possible.

    In an API request, keystonemiddleware has validated the user's token and
    kept what identity said of it, catalog included: a plugin built on that
    sends the very same token (so the callee's token cache hits) and finds
    endpoints in that catalog, with no call to identity.  Elsewhere (a
    conductor, from an RPC context) the token is re-scoped with identity.
    """
    validated = getattr(getattr(ctx, 'auth_plugin', None), 'user', None)
    if (validated is not None and validated.auth_token == ctx.auth_token
            and validated.has_service_catalog()):
        return access_plugin.AccessInfoPlugin(validated, auth_url=service_auth.auth_url)
    scope = {}
    if ctx.project_id:
        scope['project_id'] = ctx.project_id
    elif ctx.domain_id:
        scope['domain_id'] = ctx.domain_id
    elif ctx.system_scope:
        scope['system_scope'] = ctx.system_scope
    return v3.Token(auth_url=service_auth.auth_url, token=ctx.auth_token, **scope)


def user_connection(conf, ctx):
    """A ``Connection`` acting for the user of request context ``ctx``.

    It authenticates with the user's token (``ctx.auth_token``) in the
    request's scope (see ``_user_auth``), sends the service's own token as
    ``X-Service-Token``, and passes the request's global id on, so that the
    callee logs the call under it.
    """
    service_auth, session = _service_credentials(conf)
    auth = service_token.ServiceTokenAuthWrapper(user_auth=_user_auth(service_auth, ctx),
                                                 service_auth=service_auth)
    return Connection(session=session, auth=auth, global_request_id=ctx.global_id,
                      **_endpoint_choice(conf))
