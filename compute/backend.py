"""What a compute API or conductor process works with, built once per process."""
from common import config as common_config
from common.db.session import Database
from compute import conf as compute_conf


def open_database(conf):
    """The compute service's database, as every compute process opens it."""
    return Database(common_config.database_url(conf, compute_conf.SERVICE),
                    echo=conf.database.connection_debug, pool_size=conf.database.max_pool_size)
