"""What every volume process opens the same way: its database."""
from common import config as common_config
from common.db.session import Database
from volume import conf as volume_conf


def open_database(conf):
    """The volume service's database, as every volume process opens it."""
    return Database(common_config.database_url(conf, volume_conf.SERVICE),
                    echo=conf.database.connection_debug, pool_size=conf.database.max_pool_size)
