"""``stratus-manage image …``: database and per-project quotas."""
import json

from common import log
from common.db import migration
from image import conf as image_conf
from image.backend import open_database
from image.quotas import RESOURCES, Quotas

MIGRATIONS = 'image.db.migrations'


def _database(conf):
    log.setup(conf, 'image-manage')
    return open_database(conf)


def db_sync(conf, _args):
    db = _database(conf)
    migration.upgrade(db, MIGRATIONS)
    print(f'image database at revision {migration.current_revision(db)}')


def quota_set(conf, args):
    limits = {name: getattr(args, name) for name in RESOURCES
              if getattr(args, name) is not None}
    with _database(conf).writer() as session:
        result = Quotas(conf).set_limits(session, args.project, limits)
    print(json.dumps({'project_id': args.project, **result}))


def quota_show(conf, args):
    with _database(conf).writer() as session:
        usage = Quotas(conf).usage(session, args.project)
    print(json.dumps({'project_id': args.project, **usage.as_glance_usage()}))


def register(services):
    parser = services.add_parser('image', help='The image service.')
    parser.set_defaults(register_opts=image_conf.register_opts)
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    commands.add_parser('db-sync', help='Create or upgrade the database schema.') \
        .set_defaults(run=db_sync)
    setter = commands.add_parser(
        'quota-set', help='Set a project\'s image quotas (-1: unlimited; omitted: unchanged).')
    setter.add_argument('--project', required=True, help='Project id.')
    for name in RESOURCES:
        setter.add_argument('--' + name.replace('_', '-'), dest=name, type=int)
    setter.set_defaults(run=quota_set)
    shower = commands.add_parser('quota-show', help='A project\'s image quotas and usage.')
    shower.add_argument('--project', required=True, help='Project id.')
    shower.set_defaults(run=quota_show)
