"""``stratus-network-conductor``: the network agents' database writer."""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import service
from network import conf as network_conf
from network.backend import open_database
from network.conductor.manager import ConductorService


def main(argv=None):
    conf = cfg.CONF
    network_conf.register_opts(conf)
    common_config.load(conf, network_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'network-conductor')
    service.launch(ConductorService(conf, open_database(conf)))
