"""Identity commands: token, catalog, project, user, role, application credential.

Each command is ``fn(conn, args)`` returning an ``output.Record``, an
``output.Listing`` or ``None``; ``register`` adds them to the parser.
Wherever the ``openstack`` CLI takes a name or an id, so do these, with
``--*-domain`` options to tell apart equal names in different domains.
"""
import re

from stratus.cli.output import Listing, Record

_KEYSTONE_ID = re.compile(r'^[0-9a-fA-F]{32}$|^[0-9a-fA-F-]{36}$')


def _fields(resource, hide=('links',)):
    return Record({k: v for k, v in resource.items() if k not in hide})


def _domain_id(conn, name_or_id):
    return conn.identity.find_domain(name_or_id).id if name_or_id else None


def _find_project(conn, name_or_id, domain=None):
    return conn.identity.find_project(name_or_id, domain_id=_domain_id(conn, domain))


def _find_user(conn, name_or_id, domain=None):
    return conn.identity.find_user(name_or_id, domain_id=_domain_id(conn, domain))


def _find_group(conn, name_or_id, domain=None):
    return conn.identity.find_group(name_or_id, domain_id=_domain_id(conn, domain))


def _enabled(args):
    return False if args.disable else None


# --- token, catalog -----------------------------------------------------------------

def token_issue(conn, args):
    access = conn.access
    fields = {'expires': access.expires.isoformat(), 'id': access.auth_token,
              'user_id': access.user_id}
    if access.project_id:
        fields['project_id'] = access.project_id
    elif access.domain_id:
        fields['domain_id'] = access.domain_id
    elif access.system_scoped:
        fields['system'] = 'all'
    return Record(fields)


def token_revoke(conn, args):
    conn.identity.revoke_token(args.token)


def _endpoints_text(endpoints):
    return '\n'.join(f"{e.get('region_id') or e.get('region') or ''}\n  {e['interface']}: "
                     f"{e['url']}" for e in endpoints)


def catalog_list(conn, args):
    rows = [[entry.get('name'), entry['type'], entry['endpoints']]
            for entry in conn.identity.auth_catalog()]
    return Listing(['Name', 'Type', 'Endpoints'], rows, {'Endpoints': _endpoints_text})


# --- projects -----------------------------------------------------------------------

def project_list(conn, args):
    projects = conn.identity.projects(domain_id=_domain_id(conn, args.domain))
    if args.long:
        return Listing(['ID', 'Name', 'Domain ID', 'Description', 'Enabled'],
                       [[p.id, p.name, p.domain_id, p.description, p.enabled]
                        for p in projects])
    return Listing(['ID', 'Name'], [[p.id, p.name] for p in projects])


def project_show(conn, args):
    return _fields(_find_project(conn, args.project, args.domain))


def project_create(conn, args):
    project = conn.identity.create_project(
        name=args.name, description=args.description, domain_id=_domain_id(conn, args.domain),
        enabled=_enabled(args))
    return _fields(project)


def project_delete(conn, args):
    for name_or_id in args.projects:
        conn.identity.delete_project(_find_project(conn, name_or_id, args.domain),
                                     ignore_missing=False)


# --- users --------------------------------------------------------------------------

def user_list(conn, args):
    users = conn.identity.users(domain_id=_domain_id(conn, args.domain))
    if args.long:
        return Listing(['ID', 'Name', 'Domain ID', 'Default Project ID', 'Email', 'Enabled'],
                       [[u.id, u.name, u.domain_id, u.get('default_project_id'),
                         u.get('email'), u.enabled] for u in users])
    return Listing(['ID', 'Name'], [[u.id, u.name] for u in users])


def user_show(conn, args):
    return _fields(_find_user(conn, args.user, args.domain))


def user_create(conn, args):
    project_id = _find_project(conn, args.project, args.project_domain).id \
        if args.project else None
    user = conn.identity.create_user(
        name=args.name, password=args.password, default_project_id=project_id,
        domain_id=_domain_id(conn, args.domain), email=args.email,
        description=args.description, enabled=_enabled(args))
    return _fields(user)


def user_delete(conn, args):
    for name_or_id in args.users:
        conn.identity.delete_user(_find_user(conn, name_or_id, args.domain),
                                  ignore_missing=False)


# --- roles and assignments ----------------------------------------------------------

def role_list(conn, args):
    return Listing(['ID', 'Name'], [[r.id, r.name] for r in conn.identity.roles()])


def _grant_target(conn, args):
    """The actor and target keyword arguments of ``grant_role`` from the options."""
    target = {}
    if args.user:
        target['user'] = _find_user(conn, args.user, args.user_domain)
    else:
        target['group'] = _find_group(conn, args.group, args.group_domain)
    if args.project:
        target['project'] = _find_project(conn, args.project, args.project_domain)
    elif args.domain:
        target['domain'] = conn.identity.find_domain(args.domain)
    else:
        target['system'] = True
    return target


def role_add(conn, args):
    role = conn.identity.find_role(args.role)
    conn.identity.grant_role(role, **_grant_target(conn, args))


def role_remove(conn, args):
    role = conn.identity.find_role(args.role)
    conn.identity.revoke_role(role, **_grant_target(conn, args))


def _named(entry, names):
    """An id, or with ``--names`` its ``name@domain`` as the openstack CLI prints it."""
    if entry is None:
        return ''
    if not names:
        return entry['id']
    name = entry.get('name', entry['id'])
    domain = (entry.get('domain') or {}).get('name')
    return f'{name}@{domain}' if domain else name


def role_assignment_list(conn, args):
    query = {'effective': args.effective, 'include_names': args.names,
             'system': args.system}
    if args.user:
        query['user'] = _find_user(conn, args.user, args.user_domain)
    if args.group:
        query['group'] = _find_group(conn, args.group, args.group_domain)
    if args.project:
        query['project'] = _find_project(conn, args.project, args.project_domain)
    if args.domain:
        query['domain'] = conn.identity.find_domain(args.domain)
    if args.role:
        query['role'] = conn.identity.find_role(args.role)
    rows = []
    for assignment in conn.identity.role_assignments(**query):
        scope = assignment.get('scope', {})
        rows.append([_named(assignment['role'], args.names),
                     _named(assignment.get('user'), args.names),
                     _named(assignment.get('group'), args.names),
                     _named(scope.get('project'), args.names),
                     _named(scope.get('domain'), args.names),
                     'all' if 'system' in scope else '',
                     'OS-INHERIT:inherited_to' in scope])
    return Listing(['Role', 'User', 'Group', 'Project', 'Domain', 'System', 'Inherited'],
                   rows)


# --- application credentials ---------------------------------------------------------

def _credential_fields(credential):
    record = _fields(credential)
    record.fields['roles'] = ' '.join(r['name'] for r in credential.get('roles') or [])
    return record


def application_credential_create(conn, args):
    # As the openstack CLI does: an id-looking value is an id, anything else a name
    # (looking role names up would need a right to list roles that members lack).
    roles = [{'id': r} if _KEYSTONE_ID.match(r) else {'name': r} for r in args.roles] or None
    credential = conn.identity.create_application_credential(
        name=args.name, secret=args.secret, roles=roles, expires_at=args.expiration,
        description=args.description, unrestricted=args.unrestricted or None)
    return _credential_fields(credential)


def application_credential_list(conn, args):
    return Listing(['ID', 'Name', 'Project ID', 'Description', 'Expires At'],
                   [[c.id, c.name, c.project_id, c.description, c.expires_at]
                    for c in conn.identity.application_credentials()])


def application_credential_delete(conn, args):
    for name_or_id in args.credentials:
        conn.identity.delete_application_credential(
            conn.identity.find_application_credential(name_or_id), ignore_missing=False)


# --- the parser ----------------------------------------------------------------------

def _enable_options(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--enable', action='store_true', help='Enabled (the default).')
    group.add_argument('--disable', action='store_true', help='Disabled.')


def _grant_options(parser):
    actor = parser.add_mutually_exclusive_group(required=True)
    actor.add_argument('--user', help='User (name or ID).')
    actor.add_argument('--group', help='Group (name or ID).')
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument('--project', help='Project (name or ID).')
    target.add_argument('--domain', help='Domain (name or ID).')
    target.add_argument('--system', choices=['all'], help='The whole cloud.')
    _lookup_domains(parser)
    parser.add_argument('role', help='Role (name or ID).')


def _lookup_domains(parser):
    for kind in ('user', 'group', 'project'):
        parser.add_argument(f'--{kind}-domain', help=f'Domain (name or ID) of the {kind}, '
                            'when its name is not unique.')


def register(add):
    """Add the identity commands; ``add(words, fn, help)`` returns the leaf parser."""
    add(['token', 'issue'], token_issue, 'Issue a token with the configured credentials.')
    p = add(['token', 'revoke'], token_revoke, 'Revoke a token.')
    p.add_argument('token', help='The token to revoke.')
    add(['catalog', 'list'], catalog_list, 'List the service catalog of the token.')

    p = add(['project', 'list'], project_list, 'List projects.')
    p.add_argument('--domain', help='Only projects of this domain (name or ID).')
    p.add_argument('--long', action='store_true', help='More columns.')
    p = add(['project', 'show'], project_show, 'Show a project.')
    p.add_argument('project', help='Project (name or ID).')
    p.add_argument('--domain', help='Domain of the project (name or ID).')
    p = add(['project', 'create'], project_create, 'Create a project.')
    p.add_argument('name', help='Name of the new project.')
    p.add_argument('--domain', help='Domain to create it in (name or ID).')
    p.add_argument('--description', help='Description.')
    _enable_options(p)
    p = add(['project', 'delete'], project_delete, 'Delete projects.')
    p.add_argument('projects', nargs='+', metavar='project', help='Project (name or ID).')
    p.add_argument('--domain', help='Domain of the projects (name or ID).')

    p = add(['user', 'list'], user_list, 'List users.')
    p.add_argument('--domain', help='Only users of this domain (name or ID).')
    p.add_argument('--long', action='store_true', help='More columns.')
    p = add(['user', 'show'], user_show, 'Show a user.')
    p.add_argument('user', help='User (name or ID).')
    p.add_argument('--domain', help='Domain of the user (name or ID).')
    p = add(['user', 'create'], user_create, 'Create a user.')
    p.add_argument('name', help='Name of the new user.')
    p.add_argument('--password', help='Password.')
    p.add_argument('--project', help='Default project (name or ID).')
    p.add_argument('--project-domain', help='Domain of the default project.')
    p.add_argument('--domain', help='Domain to create the user in (name or ID).')
    p.add_argument('--email', help='Email address.')
    p.add_argument('--description', help='Description.')
    _enable_options(p)
    p = add(['user', 'delete'], user_delete, 'Delete users.')
    p.add_argument('users', nargs='+', metavar='user', help='User (name or ID).')
    p.add_argument('--domain', help='Domain of the users (name or ID).')

    add(['role', 'list'], role_list, 'List roles.')
    _grant_options(add(['role', 'add'], role_add, 'Grant a role.'))
    _grant_options(add(['role', 'remove'], role_remove, 'Revoke a role.'))
    p = add(['role', 'assignment', 'list'], role_assignment_list, 'List role assignments.')
    for kind in ('user', 'group', 'project', 'domain', 'role'):
        p.add_argument(f'--{kind}', help=f'Only assignments of this {kind} (name or ID).')
    _lookup_domains(p)
    p.add_argument('--system', choices=['all'], help='Only system assignments.')
    p.add_argument('--effective', action='store_true',
                   help='Expand group memberships and implied roles.')
    p.add_argument('--names', action='store_true', help='Show names instead of IDs.')

    p = add(['application', 'credential', 'create'], application_credential_create,
            'Create an application credential for the current project.')
    p.add_argument('name', help='Name of the new credential.')
    p.add_argument('--secret', help='Secret (generated when not given).')
    p.add_argument('--role', dest='roles', action='append', default=[],
                   help='A role it carries (name or ID; repeat; default: all of yours).')
    p.add_argument('--expiration', help='Expiry time, YYYY-mm-ddTHH:MM:SS.')
    p.add_argument('--description', help='Description.')
    p.add_argument('--unrestricted', action='store_true',
                   help='It may create credentials and trusts (dangerous).')
    add(['application', 'credential', 'list'], application_credential_list,
        'List your application credentials.')
    p = add(['application', 'credential', 'delete'], application_credential_delete,
            'Delete application credentials.')
    p.add_argument('credentials', nargs='+', metavar='credential',
                   help='Application credential (name or ID).')
