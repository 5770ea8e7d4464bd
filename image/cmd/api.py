"""``stratus-image-api``: the image API under gunicorn.

Before the workers start, the master repairs what a previous run left
half-done (``image.reconcile``) and publishes the API in the catalog.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import registration
from common.wsgi import server
from image import conf as image_conf
from image import reconcile
from image.backend import open_database, store_paths
from image.store.file import FileStore


def _reconcile(conf):
    db = open_database(conf)
    try:
        store_path, staging_path = store_paths(conf)
        reconcile.reconcile(db, FileStore(store_path), FileStore(staging_path))
    finally:
        # Workers fork after this: they must not inherit open connections.
        db.dispose()


def main(argv=None):
    conf = cfg.CONF
    image_conf.register_opts(conf)
    common_config.load(conf, image_conf.SERVICE, sys.argv[1:] if argv is None else argv,
                       default_bind_port=image_conf.DEFAULT_PORT)
    log.setup(conf, image_conf.SERVICE)
    _reconcile(conf)
    registration.register_api(conf, 'image', 'glance', 'Image service (Glance v2)')

    def app_factory():
        from image.api import create_app
        return create_app(conf)

    server.serve(conf, image_conf.SERVICE, app_factory)
