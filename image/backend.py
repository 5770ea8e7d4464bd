"""Everything the image API works with, built once per process."""
import os

from common import config as common_config
from common.db.session import Database
from image import conf as image_conf
from image.images import ImageManager
from image.quotas import Quotas
from image.store.file import FileStore
from image.uploads import DataService


def store_paths(conf):
    base = common_config.service_state_dir(conf, image_conf.SERVICE)
    return (conf.image.store_path or os.path.join(base, 'store'),
            conf.image.staging_path or os.path.join(base, 'staging'))


def open_database(conf):
    """The image service's database, as every image process opens it."""
    return Database(common_config.database_url(conf, image_conf.SERVICE),
                    echo=conf.database.connection_debug, pool_size=conf.database.max_pool_size)


class Backend:
    """The database, the stores and the managers of the image service.

    :param allowed: ``callable(action) -> bool`` answering for the caller of
        the current request (the API binds it to policy).
    """

    def __init__(self, conf, allowed, db=None, notifier=None):
        self.conf = conf
        self.db = db or open_database(conf)
        self.notifier = notifier
        store_path, staging_path = store_paths(conf)
        self.store = FileStore(store_path)
        self.staging = FileStore(staging_path)
        self.quotas = Quotas(conf)
        self.images = ImageManager(conf, self.quotas, allowed)
        self.data = DataService(conf, self.db, self.images, self.quotas, self.store,
                                self.staging)

    def notify(self, ctx, event_type, payload):
        if self.notifier is not None:
            self.notifier.info(ctx, event_type, payload)
