"""Everything the network API works with, built once per process."""
from common import config as common_config
from common.db.session import Database
from network import conf as network_conf


def open_database(conf):
    """The network service's database, as every network process opens it."""
    return Database(common_config.database_url(conf, network_conf.SERVICE),
                    echo=conf.database.connection_debug, pool_size=conf.database.max_pool_size)


class Backend:
    """The database and the notifier of the network API."""

    def __init__(self, conf, db=None, notifier=None):
        self.conf = conf
        self.db = db or open_database(conf)
        self.notifier = notifier

    def notify(self, ctx, event_type, payload):
        if self.notifier is not None:
            self.notifier.info(ctx, event_type, payload)
