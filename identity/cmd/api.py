"""``stratus-identity-api``: the identity API under gunicorn."""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common.wsgi import server
from identity import conf as identity_conf


def main(argv=None):
    conf = cfg.CONF
    identity_conf.register_opts(conf)
    common_config.load(conf, identity_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=identity_conf.DEFAULT_PORT)
    log.setup(conf, identity_conf.SERVICE)

    def app_factory():
        from identity.api import create_app
        return create_app(conf)

    server.serve(conf, identity_conf.SERVICE, app_factory)
