"""``stratus-network-api``: the network API (Neutron v2.0) under gunicorn.

Before the workers start, the master publishes the API in the catalog.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import registration
from common.wsgi import server
from network import conf as network_conf


def main(argv=None):
    conf = cfg.CONF
    network_conf.register_opts(conf)
    common_config.load(conf, network_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=network_conf.DEFAULT_PORT)
    log.setup(conf, network_conf.SERVICE)
    registration.register_api(conf, 'network', 'neutron', 'Network service (Neutron v2.0)')

    def app_factory():
        from network.api import create_app
        return create_app(conf)

    server.serve(conf, network_conf.SERVICE, app_factory)
