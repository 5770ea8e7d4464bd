"""``stratus-compute-api``: the compute API (Nova v2.1) under gunicorn.

Before the workers start, the master publishes the API in the catalog.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import registration
from common.wsgi import server
from compute import conf as compute_conf


def main(argv=None):
    conf = cfg.CONF
    compute_conf.register_opts(conf)
    common_config.load(conf, compute_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=compute_conf.DEFAULT_PORT)
    log.setup(conf, compute_conf.SERVICE)
    registration.register_api(conf, 'compute', 'nova', 'Compute service (Nova v2.1)',
                              path='/v2.1')

    def app_factory():
        from compute.api import create_app
        return create_app(conf)

    server.serve(conf, compute_conf.SERVICE, app_factory)
