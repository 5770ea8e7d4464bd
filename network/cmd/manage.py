"""``stratus-manage network …``: the database schema."""
from common import log
from common.db import migration
from network import conf as network_conf
from network.backend import open_database

MIGRATIONS = 'network.db.migrations'


def db_sync(conf, _args):
    log.setup(conf, 'network-manage')
    db = open_database(conf)
    migration.upgrade(db, MIGRATIONS)
    print(f'network database at revision {migration.current_revision(db)}')


def register(services):
    parser = services.add_parser('network', help='The network service.')
    parser.set_defaults(register_opts=network_conf.register_opts)
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    commands.add_parser('db-sync', help='Create or upgrade the database schema.') \
        .set_defaults(run=db_sync)
