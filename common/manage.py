"""``stratus-manage <service> <command>``: operator commands of every service.

Each service contributes its sub-commands through the ``stratus.manage``
entry point group: a ``register(subparsers)`` function that adds its
parser; the parser's ``run(conf, args)`` default does the work after the
service's configuration is loaded.
"""
import argparse
import sys
from importlib import metadata

from oslo_config import cfg

from common import config as common_config


def _parser():
    parser = argparse.ArgumentParser(prog='stratus-manage',
                                     description='Operate the services of a Stratus cloud.')
    parser.add_argument('--config-file', action='append', default=[],
                        help='Configuration file (default /etc/stratus/<service>.conf).')
    services = parser.add_subparsers(dest='service', required=True, metavar='SERVICE')
    for entry_point in sorted(metadata.entry_points(group='stratus.manage'),
                              key=lambda e: e.name):
        entry_point.load()(services)
    return parser


def main(argv=None):
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    conf = cfg.CONF
    args.register_opts(conf)
    config_args = [a for f in args.config_file for a in ('--config-file', f)]
    common_config.load(conf, args.service, config_args)
    try:
        return args.run(conf, args)
    except RuntimeError as exc:
        # Commands raise RuntimeError for what the operator must fix (a
        # missing key repository, an old schema): a message, not a traceback.
        sys.exit(f'stratus-manage {args.service} {args.command}: {exc}')
