"""``stratus-manage compute …``: the compute database."""
from common import log
from common.db import migration
from compute import conf as compute_conf
from compute.backend import open_database

MIGRATIONS = 'compute.db.migrations'


def db_sync(conf, _args):
    log.setup(conf, 'compute-manage')
    db = open_database(conf)
    migration.upgrade(db, MIGRATIONS)
    print(f'compute database at revision {migration.current_revision(db)}')


def register(services):
    parser = services.add_parser('compute', help='The compute service.')
    parser.set_defaults(register_opts=compute_conf.register_opts)
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    commands.add_parser('db-sync', help='Create or upgrade the database schema.') \
        .set_defaults(run=db_sync)
