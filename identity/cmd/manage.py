"""``stratus-manage identity …``: database, keys, bootstrap."""
import logging
import sys

from common import log
from common.context import RequestContext
from common.db import migration
from identity import conf as identity_conf
from identity.backend import Backend, key_repository
from identity import bootstrap
from identity.token import fernet_keys

MIGRATIONS = 'identity.db.migrations'
LOG = logging.getLogger(__name__)


def _backend(conf):
    log.setup(conf, 'identity-manage')
    return Backend(conf)


def db_sync(conf, _args):
    backend = _backend(conf)
    migration.upgrade(backend.db, MIGRATIONS)
    print(f'identity database at revision {migration.current_revision(backend.db)}')


def fernet_setup(conf, _args):
    repo = key_repository(conf)
    created = fernet_keys.setup(repo)
    print(f"{'created' if created else 'kept existing'} Fernet keys in {repo}")


def fernet_rotate(conf, _args):
    repo = key_repository(conf)
    primary = fernet_keys.rotate(repo, conf.fernet_tokens.max_active_keys)
    print(f'Fernet key {primary} is now primary in {repo}')


def _require_current_schema(backend):
    if not migration.is_current(backend.db, MIGRATIONS):
        sys.exit('The identity database is not up to date: run '
                 '"stratus-manage identity db-sync" first.')


def run_bootstrap(conf, args):
    backend = _backend(conf)
    _require_current_schema(backend)
    with backend.writer(RequestContext.admin()) as session:
        bootstrap.bootstrap(session, backend, bootstrap.BootstrapRequest(
            username=args.bootstrap_username, password=args.bootstrap_password,
            project_name=args.bootstrap_project_name, role_name=args.bootstrap_role_name,
            service_name=args.bootstrap_service_name, region_id=args.bootstrap_region_id,
            public_url=args.bootstrap_public_url, internal_url=args.bootstrap_internal_url,
            admin_url=args.bootstrap_admin_url))
    print('identity bootstrapped: user %s is admin of project %s and of the system'
          % (args.bootstrap_username, args.bootstrap_project_name))


def ensure_user(conf, args):
    backend = _backend(conf)
    _require_current_schema(backend)
    with backend.writer(RequestContext.admin()) as session:
        bootstrap.ensure_user(session, backend, name=args.name, password=args.password,
                              project_name=args.project, role_names=args.role,
                              domain_name=args.domain)
    print(f"user {args.name} holds {', '.join(args.role)} on project {args.project}")


def register(services):
    parser = services.add_parser('identity', help='The identity service.')
    parser.set_defaults(register_opts=identity_conf.register_opts)
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')

    commands.add_parser('db-sync', help='Create or upgrade the database schema.') \
        .set_defaults(run=db_sync)
    commands.add_parser('fernet-setup', help='Create the Fernet key repository.') \
        .set_defaults(run=fernet_setup)
    commands.add_parser('fernet-rotate', help='Rotate the Fernet keys.') \
        .set_defaults(run=fernet_rotate)

    boot = commands.add_parser(
        'bootstrap', help='Create the admin user, project, roles, region and the identity '
                          'endpoints (idempotent; an existing admin gets the given password).')
    boot.add_argument('--bootstrap-username', default='admin')
    boot.add_argument('--bootstrap-password', required=True)
    boot.add_argument('--bootstrap-project-name', default='admin')
    boot.add_argument('--bootstrap-role-name', default='admin')
    boot.add_argument('--bootstrap-service-name', default='keystone')
    boot.add_argument('--bootstrap-region-id', default='RegionOne')
    boot.add_argument('--bootstrap-public-url')
    boot.add_argument('--bootstrap-internal-url')
    boot.add_argument('--bootstrap-admin-url')
    boot.set_defaults(run=run_bootstrap)

    user = commands.add_parser(
        'ensure-user', help='Make sure a user exists with this password and these roles on a '
                            'project (creating the project if needed); idempotent.')
    user.add_argument('--name', required=True)
    user.add_argument('--password', required=True)
    user.add_argument('--project', required=True)
    user.add_argument('--role', action='append', required=True,
                      help='A role to grant on the project (repeatable).')
    user.add_argument('--domain', default='Default', help='Domain name (default: Default).')
    user.set_defaults(run=ensure_user)
