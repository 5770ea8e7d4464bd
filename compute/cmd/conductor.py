"""``stratus-compute-conductor``: scheduling, orchestration, the agents' database writer.

``[conductor] workers`` > 1 forks that many conductor processes before
any connection is opened; they share the topic, so each message goes to
one of them.  The parent forwards SIGTERM/SIGINT and waits for them.
"""
import os
import signal
import sys

from oslo_config import cfg

from common import config as common_config
from common import log
from common import rpc
from common import service
from compute import conf as compute_conf
from compute import images
from compute import network
from compute import rpcapi
from compute import volumes
from compute.backend import open_database
from compute.conductor import scheduler
from compute.conductor.deps import Deps
from compute.conductor.manager import ConductorService


def build_service(conf, transport=None):
    """A conductor with the real database, scheduler, agents and services."""
    transport = transport or rpc.get_transport(conf)
    deps = Deps(conf=conf, db=open_database(conf),
                agents=rpcapi.AgentAPI(conf, transport=transport),
                notifier=rpc.Notifier(conf, f'compute.conductor.{conf.host}'),
                scheduler=scheduler, network=network.NetworkClient(conf),
                images=images.ImageClient(conf), volumes=volumes.VolumeClient(conf))
    return ConductorService(conf, deps, transport=transport)


def _run_workers(conf, count):
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            try:
                service.launch(build_service(conf))
            finally:
                os._exit(0)
        children.append(pid)

    def _forward(signum, _frame):
        for pid in children:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    for pid in children:
        os.waitpid(pid, 0)


def main(argv=None):
    conf = cfg.CONF
    compute_conf.register_opts(conf)
    common_config.load(conf, compute_conf.SERVICE, sys.argv[1:] if argv is None else argv)
    log.setup(conf, 'compute-conductor')
    if conf.conductor.workers > 1:
        _run_workers(conf, conf.conductor.workers)
    else:
        service.launch(build_service(conf))
