"""``stratus-volume-conductor``: scheduling between volume backends and the database
writes of their operations."""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import service
from volume import conf as volume_conf
from volume.backend import open_database
from volume.conductor.manager import ConductorService


def main(argv=None):
    conf = cfg.CONF
    volume_conf.register_opts(conf)
    common_config.load(conf, volume_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'volume-conductor')
    service.launch(ConductorService(conf, open_database(conf)))
