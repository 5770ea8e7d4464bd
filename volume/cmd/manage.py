"""``stratus-manage volume …``: the volume database."""
from common import log
from common.db import migration
from volume import conf as volume_conf
from volume.backend import open_database

MIGRATIONS = 'volume.db.migrations'


def db_sync(conf, _args):
    log.setup(conf, 'volume-manage')
    db = open_database(conf)
    migration.upgrade(db, MIGRATIONS)
    print(f'volume database at revision {migration.current_revision(db)}')


def register(services):
    parser = services.add_parser('volume', help='The volume service.')
    parser.set_defaults(register_opts=volume_conf.register_opts)
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    commands.add_parser('db-sync', help='Create or upgrade the database schema.') \
        .set_defaults(run=db_sync)
