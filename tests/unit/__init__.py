"""Unit tests: fast, no servers, one process.

``make_conf`` lives here (not in ``conftest.py``) so that test modules and
fixtures of every package below can import it.
"""
from oslo_config import cfg

from common import config as common_config
from common import rpc


def make_conf(state_path, register=None, **overrides):
    """A parsed ``ConfigOpts`` that reads no file, with ``state_path`` set.

    :param state_path: directory for the service's data.
    :param register: ``callable(conf)`` that registers the options (default:
        the options every service has, plus oslo.messaging's).
    :param overrides: ``{'group__option' or 'option': value}``.
    :returns: the ``ConfigOpts``; RPC goes over the in-process ``fake://``
        transport.
    """
    conf = cfg.ConfigOpts()
    if register is None:
        common_config.register_common_opts(conf)
        rpc.register_opts(conf)
    else:
        register(conf)
    conf(args=[], project='stratus', default_config_files=[], default_config_dirs=[])
    conf.set_override('state_path', str(state_path))
    conf.set_override('transport_url', 'fake://')
    for name, value in overrides.items():
        group, _, option = name.rpartition('__')
        conf.set_override(option, value, group=group or None)
    return conf
