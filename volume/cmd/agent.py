"""``stratus-volume-agent``: one volume backend of this host.

It has no database, and no [database] options: the conductor sends it
everything it needs and records what it reports.
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import service
from volume import conf as volume_conf
from volume.agent import opts as agent_opts
from volume.agent.service import AgentProcess


def main(argv=None):
    conf = cfg.CONF
    volume_conf.register_opts(conf, database=False)
    agent_opts.register_opts(conf)
    common_config.load(conf, volume_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'volume-agent')
    service.launch(AgentProcess(conf))
