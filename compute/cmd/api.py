"""``stratus-compute-api``: the compute API (Nova v2.1) and the metadata API under gunicorn.

Before the workers start, the master publishes the API in the catalog.
The same workers listen on ``[api] bind_port`` (8774) and, unless
``[metadata] enabled`` is false, on ``[metadata] metadata_listen_port``
(8775); each request goes to the app of the port it came in on.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import registration
from common.wsgi import server
from compute import conf as compute_conf


def by_local_port(apps, default):
    """A WSGI app that hands each request to ``apps[<port it came in on>]``.

    gunicorn sets ``SERVER_PORT`` of a TCP request to the port of the
    socket that accepted it, whatever the Host header says, so a client
    cannot reach the metadata API through the compute port or the reverse.
    """
    def dispatch(environ, start_response):
        return apps.get(environ.get('SERVER_PORT'), default)(environ, start_response)
    return dispatch


def _address(host, port):
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'


def main(argv=None):
    conf = cfg.CONF
    compute_conf.register_opts(conf)
    common_config.load(conf, compute_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=compute_conf.DEFAULT_PORT)
    log.setup(conf, compute_conf.SERVICE)
    metadata_port = conf.metadata.metadata_listen_port if conf.metadata.enabled else None
    if metadata_port == conf.api.bind_port:
        sys.exit(f'[metadata] metadata_listen_port and [api] bind_port are both '
                 f'{metadata_port}: the metadata API needs a port of its own.')
    registration.register_api(conf, 'compute', 'nova', 'Compute service (Nova v2.1)',
                              path='/v2.1')

    def app_factory():
        from compute.api import create_app
        compute_app = create_app(conf)
        if metadata_port is None:
            return compute_app
        from compute.metadata.app import create_app as create_metadata_app
        return by_local_port({str(metadata_port): create_metadata_app(conf, db=compute_app.db)},
                             compute_app)

    extra_binds = [] if metadata_port is None else [
        _address(conf.metadata.metadata_listen, metadata_port)]
    server.serve(conf, compute_conf.SERVICE, app_factory, extra_binds=extra_binds)
