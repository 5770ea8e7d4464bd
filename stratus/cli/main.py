"""``stratus``: the command-line client, ``stratus [--os-cloud C] <object> <action> …``.

Commands read like the ``openstack`` CLI's (``stratus project create
demo``).  The cloud comes from ``--os-cloud``/``OS_CLOUD`` and
``clouds.yaml``, or from ``OS_*`` variables (see ``stratus.config``).  A
refused request prints the server's message and exits with status 1.
"""
import argparse
import logging
import sys

import stratus
from stratus import exceptions
from stratus.cli import identity, image, output, volume


def _output_options():
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument('-f', '--format', choices=output.FORMATS, default='table',
                        help='Output format (default: table).')
    parent.add_argument('-c', '--column', dest='columns', action='append', default=[],
                        help='Print only this field or column (repeat for more).')
    return parent


def build_parser():
    parser = argparse.ArgumentParser(prog='stratus', description='Stratus cloud client.')
    parser.add_argument('--os-cloud', metavar='NAME',
                        help='Cloud of clouds.yaml to use (default: $OS_CLOUD, else the '
                             'OS_* variables).')
    parser.add_argument('--debug', action='store_true', help='Log every request to stderr.')
    top = parser.add_subparsers(dest='command', metavar='<command>', required=True)
    parents = [_output_options()]
    groups = {(): top}

    def add(words, fn, help_text):
        """The parser of the command ``words``, creating the word groups above it."""
        for depth in range(1, len(words)):
            prefix = tuple(words[:depth])
            if prefix not in groups:
                group = groups[prefix[:-1]].add_parser(prefix[-1], help=f'{" ".join(prefix)} '
                                                       'commands')
                groups[prefix] = group.add_subparsers(metavar='<action>', required=True)
        leaf = groups[tuple(words[:-1])].add_parser(words[-1], help=help_text,
                                                    description=help_text, parents=parents)
        leaf.set_defaults(func=fn)
        return leaf

    identity.register(add)
    image.register(add)
    volume.register(add)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    try:
        with stratus.connect(cloud=args.os_cloud) as conn:
            result = args.func(conn, args)
        text = output.render(result, args.format, args.columns)
    except (exceptions.SDKError, output.UnknownColumn) as exc:
        print(exc, file=sys.stderr)
        return 1
    if text:
        print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
