"""``stratus-network-agent``: the Linux networking of this host (runs as root).

It has no database, and no [database] options: the desired state of the
host comes from the network conductor over RPC.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import service
from network import conf as network_conf
from network.agent import opts as agent_opts
from network.agent.service import AgentProcess


def main(argv=None):
    conf = cfg.CONF
    network_conf.register_opts(conf, database=False)
    agent_opts.register_opts(conf)
    common_config.load(conf, network_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'network-agent')
    service.launch(AgentProcess(conf))
