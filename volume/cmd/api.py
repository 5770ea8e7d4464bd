"""``stratus-volume-api``: the volume API (Cinder v3) under gunicorn.

Before the workers start, the master publishes the API in the catalog,
under both service types clients look for (``block-storage``, Tempest's,
and ``volumev3``), at ``/v3/$(project_id)s`` as Cinder's endpoints are.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import registration
from common.wsgi import server
from volume import conf as volume_conf

SERVICE_TYPES = ('block-storage', 'volumev3')
ENDPOINT_PATH = '/v3/$(project_id)s'


def main(argv=None):
    conf = cfg.CONF
    volume_conf.register_opts(conf)
    common_config.load(conf, volume_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=volume_conf.DEFAULT_PORT)
    log.setup(conf, volume_conf.SERVICE)
    for service_type in SERVICE_TYPES:
        registration.register_api(conf, service_type, 'cinderv3',
                                  'Block Storage service (Cinder v3)', path=ENDPOINT_PATH)

    def app_factory():
        from volume.api import create_app
        return create_app(conf)

    server.serve(conf, volume_conf.SERVICE, app_factory)
