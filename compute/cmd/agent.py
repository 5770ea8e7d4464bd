"""``stratus-compute-agent``: the hypervisor host(s) of this machine.

It has no database, and no [database] options: orders come
from the conductor over RPC and reports go back to it.  With the fake
driver one process may simulate many hosts (``[fake_driver] host_count``).
"""
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import service
from compute import conf as compute_conf
from compute.agent.hosts import AgentProcess


def main(argv=None):
    conf = cfg.CONF
    compute_conf.register_opts(conf, database=False)
    common_config.load(conf, compute_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'compute-agent')
    service.launch(AgentProcess(conf))
