"""Where a connection's settings come from: ``clouds.yaml``, ``OS_*`` variables, arguments.

The cloud is chosen as openstacksdk chooses it:

1. a cloud named by the ``cloud`` argument, else by ``OS_CLOUD``, is read
   from ``clouds.yaml`` (and ``OS_*`` variables are ignored, so that a
   shell holding another cloud's ``openrc`` does not leak into it);
2. otherwise, when ``OS_AUTH_URL`` is set, the cloud is described by the
   ``OS_*`` variables (``OS_USERNAME`` -> ``username`` …);
3. otherwise, a ``clouds.yaml`` holding exactly one cloud gives that one.

Explicit keyword arguments are laid over the result, key by key, and win.

``clouds.yaml`` is the first file found of ``$OS_CLIENT_CONFIG_FILE``,
``./clouds.yaml``, ``~/.config/openstack/clouds.yaml`` and
``/etc/openstack/clouds.yaml``, in openstacksdk's format::

    clouds:
      mycloud:
        auth_type: password          # or token, v3applicationcredential …
        auth: {auth_url: http://h:5000/v3, username: u, password: p,
               project_name: p, user_domain_name: Default,
               project_domain_name: Default}
        region_name: RegionOne
        interface: public
"""
import dataclasses
import os

import yaml

from stratus import exceptions

CONFIG_FILE_VARIABLE = 'OS_CLIENT_CONFIG_FILE'
CLOUD_VARIABLE = 'OS_CLOUD'

# Every accepted spelling, mapped to the keystoneauth1 v3 plugin loader.
AUTH_TYPES = {
    'password': 'v3password',
    'v3password': 'v3password',
    'token': 'v3token',
    'v3token': 'v3token',
    'application_credential': 'v3applicationcredential',
    'v3applicationcredential': 'v3applicationcredential',
}

# Keys that configure the connection; any other key belongs to the auth plugin.
_SETTINGS = frozenset({'auth', 'auth_type', 'region_name', 'interface', 'verify', 'cacert',
                       'insecure', 'cert', 'key', 'api_timeout'})
# Variables that select a cloud or a file rather than describe a cloud.
_SELECTORS = frozenset({CLOUD_VARIABLE, CONFIG_FILE_VARIABLE, 'OS_CLIENT_SECURE_FILE',
                        'OS_CLOUD_NAME'})
_TRUE = frozenset({'1', 'true', 'yes', 'on'})
_FALSE = frozenset({'0', 'false', 'no', 'off'})


@dataclasses.dataclass(frozen=True)
class CloudConfig:
    """Everything needed to open a session on one cloud.

    :ivar auth_type: the keystoneauth1 plugin loader (a value of ``AUTH_TYPES``).
    :ivar auth: the plugin's options (``auth_url``, ``username`` …).
    :ivar verify: ``True``, ``False`` or the path of a CA bundle.
    :ivar cert: a client certificate path, or a ``(cert, key)`` pair.
    """
    name: str | None
    auth_type: str
    auth: dict
    region_name: str | None = None
    interface: str = 'public'
    verify: bool | str = True
    cert: str | tuple | None = None
    timeout: float | None = None


def config_file_paths(environ=None):
    """The places searched for ``clouds.yaml``, in order."""
    environ = os.environ if environ is None else environ
    paths = [environ[CONFIG_FILE_VARIABLE]] if environ.get(CONFIG_FILE_VARIABLE) else []
    return paths + [os.path.join(os.getcwd(), 'clouds.yaml'),
                    os.path.expanduser('~/.config/openstack/clouds.yaml'),
                    '/etc/openstack/clouds.yaml']


def _read_clouds(environ):
    """``(path, {name: cloud})`` of the first ``clouds.yaml`` found, or ``(None, {})``."""
    for path in config_file_paths(environ):
        if os.path.isfile(path):
            try:
                with open(path) as stream:
                    data = yaml.safe_load(stream) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise exceptions.ConfigError(f'Cannot read {path}: {exc}') from exc
            clouds = data.get('clouds') if isinstance(data, dict) else None
            if not isinstance(clouds, dict):
                raise exceptions.ConfigError(f'{path} has no "clouds" mapping.')
            return path, clouds
    return None, {}


def _normalize(values):
    """Keys with ``_`` for ``-``, top-level auth options moved under ``auth``."""
    flat = {str(k).replace('-', '_'): v for k, v in (values or {}).items()}
    auth = {k: v for k, v in flat.items() if k not in _SETTINGS}
    nested = flat.get('auth') or {}
    if not isinstance(nested, dict):
        raise exceptions.ConfigError('"auth" must be a mapping.')
    auth.update({str(k).replace('-', '_'): v for k, v in nested.items()})
    settings = {k: v for k, v in flat.items() if k in _SETTINGS and k != 'auth'}
    settings['auth'] = auth
    return settings


def _from_environment(environ):
    return _normalize({name[3:].lower(): value for name, value in environ.items()
                       if name.startswith('OS_') and name not in _SELECTORS})


def _overlay(base, overrides):
    merged = {**base, **{k: v for k, v in overrides.items() if k != 'auth'}}
    merged['auth'] = {**base.get('auth', {}), **overrides.get('auth', {})}
    return merged


def _boolean(value):
    return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE


def _auth_type(settings):
    given = settings.get('auth_type')
    if given:
        try:
            return AUTH_TYPES[str(given).lower()]
        except KeyError:
            raise exceptions.ConfigError(
                f"Unsupported auth_type {given!r}; use one of: "
                f"{', '.join(sorted(AUTH_TYPES))}.") from None
    auth = settings['auth']
    if auth.get('application_credential_secret'):
        return 'v3applicationcredential'
    if auth.get('token') and not auth.get('password'):
        return 'v3token'
    return 'v3password'


def _verify(settings):
    """``False``, a CA bundle path (``cacert``, or ``verify`` given a path), or ``True``."""
    verify = settings.get('verify', True)
    if isinstance(verify, str) and verify.strip().lower() not in _TRUE | _FALSE:
        return verify
    if not _boolean(verify) or _boolean(settings.get('insecure', False)):
        return False
    return settings.get('cacert') or True


def _base(cloud, environ):
    """The name and settings of the selected cloud, before explicit arguments."""
    name = cloud or environ.get(CLOUD_VARIABLE)
    if name:
        path, clouds = _read_clouds(environ)
        if path is None:
            raise exceptions.ConfigError(
                f'Cloud {name!r} was asked for, but no clouds.yaml was found in: '
                f"{', '.join(config_file_paths(environ))}.")
        if name not in clouds:
            raise exceptions.ConfigError(f'Cloud {name!r} is not defined in {path}.')
        return name, _normalize(clouds[name])
    if environ.get('OS_AUTH_URL'):
        return None, _from_environment(environ)
    _path, clouds = _read_clouds(environ)
    if len(clouds) == 1:
        name, only = next(iter(clouds.items()))
        return name, _normalize(only)
    return None, {'auth': {}}


def load(cloud=None, *, environ=None, **kwargs):
    """The ``CloudConfig`` for ``cloud`` (see the module docstring for the order).

    :param cloud: a cloud name of ``clouds.yaml``.
    :param environ: the environment to read (``os.environ`` by default).
    :param kwargs: settings that win over everything else: ``auth_url``,
        ``username``, ``password``, ``project_name``, ``region_name``,
        ``interface``, ``auth_type``, ``auth={...}`` …; ``None`` values are
        ignored.
    :raises ConfigError: the cloud is unknown, or has no ``auth_url``.
    """
    environ = os.environ if environ is None else environ
    name, base = _base(cloud, environ)
    given = {k: v for k, v in kwargs.items() if v is not None}
    settings = _overlay(base, _normalize(given))
    if not settings['auth'].get('auth_url'):
        raise exceptions.ConfigError(
            'No cloud is configured: pass cloud= (or set OS_CLOUD) to use clouds.yaml, '
            'or give auth_url and credentials (or set OS_AUTH_URL, OS_USERNAME …).')
    cert = settings.get('cert')
    if cert and settings.get('key'):
        cert = (cert, settings['key'])
    timeout = settings.get('api_timeout')
    return CloudConfig(
        name=name, auth_type=_auth_type(settings), auth=settings['auth'],
        region_name=settings.get('region_name') or None,
        interface=settings.get('interface') or 'public', verify=_verify(settings),
        cert=cert or None, timeout=float(timeout) if timeout else None)
