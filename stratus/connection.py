"""``Connection``: one authenticated keystoneauth1 session and a proxy per service.

People open one with ``stratus.connect()``; a service that already holds a
session or an auth plugin (its own, or a user's token wrapped with its
service token) passes it in.  Endpoints come from the token's catalog, by
service type, interface and region, on first use of each proxy.
"""
import functools

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session

from stratus import config as cloud_config
from stratus import exceptions
from stratus.block_storage.proxy import BlockStorageProxy
from stratus.compute.proxy import ComputeProxy
from stratus.identity.proxy import IdentityProxy
from stratus.image.proxy import ImageProxy
from stratus.network.proxy import NetworkProxy

APP_NAME = 'stratus'


# What each plugin cannot do without (keystoneauth1 does not mark them all required).
_REQUIRED = {'v3password': ('auth_url', 'password'), 'v3token': ('auth_url', 'token'),
             'v3applicationcredential': ('auth_url', 'application_credential_secret')}
# An application credential is bound to its project: a scope is refused.
_SCOPE = frozenset({'project_id', 'project_name', 'project_domain_id', 'project_domain_name',
                    'domain_id', 'domain_name', 'system_scope'})


def auth_plugin(config):
    """The keystoneauth1 v3 plugin (``keystoneauth1.identity.v3``) of a ``CloudConfig``.

    Options that the plugin does not take are dropped: a ``clouds.yaml``
    entry may hold a ``project_name`` that an application credential
    ignores.

    :raises ConfigError: a needed option is missing or options contradict.
    """
    loader = loading.get_plugin_loader(config.auth_type)
    accepted = {option.dest for option in loader.get_options()}
    if config.auth_type == 'v3applicationcredential':
        accepted -= _SCOPE
    options = {k: v for k, v in config.auth.items() if k in accepted and v not in (None, '')}
    where = f'cloud {config.name!r}' if config.name else 'the configuration'
    missing = [name for name in _REQUIRED[config.auth_type] if name not in options]
    if missing:
        raise exceptions.ConfigError(f'{config.auth_type} authentication needs '
                                     f'{", ".join(missing)}, missing from {where}.')
    try:
        return loader.load_from_options(**options)
    except ks_exc.OptionError as exc:
        raise exceptions.ConfigError(f'{where.capitalize()}: {exc}') from None


def session_for(config):
    """A keystoneauth1 ``Session`` authenticated as ``config`` says."""
    return ks_session.Session(auth=auth_plugin(config), verify=config.verify,
                              cert=config.cert, timeout=config.timeout, app_name=APP_NAME)


class Connection:
    """A session on one cloud, with one proxy per service type.

    Build it from one of:

    :param config: a ``stratus.config.CloudConfig`` (what ``connect`` does).
    :param session: an existing keystoneauth1 ``Session``; it stays the
        caller's to close.  With ``auth`` too, the session only carries the
        requests (TLS settings, pooled connections) and ``auth`` says who
        makes them: services share one session among many users.
    :param auth: a keystoneauth1 auth plugin; without ``session``, a
        session is made for it.

    :param region_name: the region whose endpoints are used (default: the
        config's, or any region).
    :param interface: ``public``, ``internal`` or ``admin``, or a list of them
        in order of preference (default: the config's, or ``public``).
    :param global_request_id: sent as ``X-OpenStack-Request-ID`` so that a
        call made on behalf of a request is logged under the same id.
    """

    def __init__(self, *, config=None, session=None, auth=None, region_name=None,
                 interface=None, global_request_id=None):
        if (config is None) == (session is None and auth is None):
            raise TypeError('Connection needs either config, or session and/or auth.')
        self._owns_session = session is None
        if config is not None:
            session = session_for(config)
            region_name = region_name or config.region_name
            interface = interface or config.interface
        elif session is None:
            session = ks_session.Session(auth=auth, app_name=APP_NAME)
        self.session = session
        #: the plugin every request is authenticated with
        self.auth = auth or session.auth
        self.region_name = region_name
        self.interface = interface or 'public'
        self.global_request_id = global_request_id

    @functools.cached_property
    def identity(self):
        return IdentityProxy(self)

    @functools.cached_property
    def block_storage(self):
        return BlockStorageProxy(self)

    @functools.cached_property
    def compute(self):
        return ComputeProxy(self)

    @functools.cached_property
    def image(self):
        return ImageProxy(self)

    @functools.cached_property
    def network(self):
        return NetworkProxy(self)

    @property
    def access(self):
        """The keystoneauth1 ``AccessInfo`` of the token (authenticating if needed)."""
        with exceptions.translated():
            return self.auth.get_access(self.session)

    @property
    def current_user_id(self):
        with exceptions.translated():
            return self.session.get_user_id(auth=self.auth)

    def close(self):
        """Release the pooled HTTP connections of a session this object made."""
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def connect(cloud=None, **kwargs):
    """A ``Connection`` to ``cloud`` (a ``clouds.yaml`` name) or to explicit settings.

    ``kwargs`` are those of ``stratus.config.load``: ``auth_url``,
    ``username``, ``password``, ``project_name``, ``user_domain_name``,
    ``project_domain_name``, ``region_name``, ``interface``, ``auth_type`` …
    and win over ``clouds.yaml`` and ``OS_*`` variables.
    """
    return Connection(config=cloud_config.load(cloud, **kwargs))
