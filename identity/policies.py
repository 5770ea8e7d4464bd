"""Default policy of the identity API (override in /etc/stratus/policy.yaml).

Personas: a *cloud admin* (``admin`` on the system or on the admin
project) manages everything; a *cloud reader* reads everything; a *domain
admin* (``admin`` on a domain-scoped token) manages the users, groups,
projects and grants of that domain; everyone else sees only themselves:
their user, their projects, their own application credentials, their own
tokens.  ``reader`` never changes anything.

Targets are flat: ``target.domain_id`` is the domain of the resource acted
on, ``target.user_id`` the user it belongs to, ``target.project_id`` its
project, ``target.role.name`` the role granted (see ``identity.api.support.authorize``).
"""
from oslo_policy import policy

SCOPES = ['system', 'domain', 'project']

_BASE = [
    policy.RuleDefault('domain_admin', "role:admin and domain_id:%(target.domain_id)s and "
                       "'False':%(target.in_admin_domain)s",
                       description='An admin of the domain the resource is in, unless it '
                                   'is the domain of the cloud\'s admin project (only cloud '
                                   'admins administer that one).'),
    policy.RuleDefault('domain_reader', 'role:reader and domain_id:%(target.domain_id)s',
                       description='A reader of the domain the resource is in.'),
    policy.RuleDefault('owner', 'user_id:%(target.user_id)s',
                       description='The user the resource belongs to.'),
    policy.RuleDefault('admin_or_domain_admin', 'rule:cloud_admin or rule:domain_admin'),
    policy.RuleDefault('domain_grantable_role', "not 'service':%(target.role.name)s",
                       description='Roles a domain admin may grant.  Not ``service``: '
                                   'it manages the catalog and validates and revokes '
                                   'anyone\'s tokens, far beyond one domain.'),
    policy.RuleDefault('reader_or_domain_reader', 'rule:cloud_reader or rule:domain_reader'),
]

ADMIN = 'rule:cloud_admin'
READER = 'rule:cloud_reader'
DOMAIN_ADMIN = 'rule:admin_or_domain_admin'
DOMAIN_READER = 'rule:reader_or_domain_reader'
ANYONE = ''


def _rule(name, check, description, method, path):
    return policy.DocumentedRuleDefault(
        name=f'identity:{name}', check_str=check, description=description,
        operations=[{'method': m, 'path': path} for m in method.split('|')],
        scope_types=SCOPES)


_RULES = [
    # Tokens and what a token holder can discover about itself.
    _rule('validate_token', f'{READER} or rule:service_role or user_id:%(target.token.user_id)s',
          'Validate a token (services validate users\' tokens).', 'GET|HEAD', '/v3/auth/tokens'),
    _rule('revoke_token', f'{ADMIN} or rule:service_role or user_id:%(target.token.user_id)s',
          'Revoke a token.', 'DELETE', '/v3/auth/tokens'),
    _rule('get_auth_catalog', ANYONE, 'The catalog of the token.', 'GET', '/v3/auth/catalog'),
    _rule('get_auth_projects', ANYONE, 'Projects the token\'s user can scope to.',
          'GET', '/v3/auth/projects'),
    _rule('get_auth_domains', ANYONE, 'Domains the token\'s user can scope to.',
          'GET', '/v3/auth/domains'),
    _rule('get_auth_system', ANYONE, 'Whether the user can scope to the system.',
          'GET', '/v3/auth/system'),
    # Domains.
    _rule('get_domain', f'{READER} or domain_id:%(target.domain_id)s or '
          'project_domain_id:%(target.domain_id)s', 'Show a domain.', 'GET', '/v3/domains/{id}'),
    _rule('list_domains', READER, 'List domains.', 'GET', '/v3/domains'),
    _rule('create_domain', ADMIN, 'Create a domain.', 'POST', '/v3/domains'),
    _rule('update_domain', ADMIN, 'Update a domain.', 'PATCH', '/v3/domains/{id}'),
    _rule('delete_domain', ADMIN, 'Delete a disabled domain.', 'DELETE', '/v3/domains/{id}'),
    # Projects.
    _rule('get_project', f'{DOMAIN_READER} or project_id:%(target.project_id)s',
          'Show a project.', 'GET', '/v3/projects/{id}'),
    _rule('list_projects', DOMAIN_READER, 'List projects.', 'GET', '/v3/projects'),
    _rule('list_user_projects', f'{DOMAIN_READER} or rule:owner',
          'List the projects of a user.', 'GET', '/v3/users/{id}/projects'),
    _rule('create_project', DOMAIN_ADMIN, 'Create a project.', 'POST', '/v3/projects'),
    _rule('update_project', DOMAIN_ADMIN, 'Update a project.', 'PATCH', '/v3/projects/{id}'),
    _rule('delete_project', DOMAIN_ADMIN, 'Delete a project.', 'DELETE', '/v3/projects/{id}'),
    # Users.
    _rule('get_user', f'{DOMAIN_READER} or rule:owner', 'Show a user.', 'GET', '/v3/users/{id}'),
    _rule('list_users', DOMAIN_READER, 'List users.', 'GET', '/v3/users'),
    _rule('create_user', DOMAIN_ADMIN, 'Create a user.', 'POST', '/v3/users'),
    _rule('update_user', DOMAIN_ADMIN, 'Update a user.', 'PATCH', '/v3/users/{id}'),
    _rule('delete_user', DOMAIN_ADMIN, 'Delete a user.', 'DELETE', '/v3/users/{id}'),
    _rule('change_password', 'rule:owner', 'Change one\'s own password.',
          'POST', '/v3/users/{id}/password'),
    # Groups.
    _rule('get_group', DOMAIN_READER, 'Show a group.', 'GET',
          '/v3/groups/{id}'),
    _rule('list_groups', DOMAIN_READER, 'List groups.', 'GET', '/v3/groups'),
    _rule('list_groups_for_user', f'{DOMAIN_READER} or rule:owner',
          'List the groups of a user.', 'GET', '/v3/users/{id}/groups'),
    _rule('create_group', DOMAIN_ADMIN, 'Create a group.', 'POST', '/v3/groups'),
    _rule('update_group', DOMAIN_ADMIN, 'Update a group.', 'PATCH', '/v3/groups/{id}'),
    _rule('delete_group', DOMAIN_ADMIN, 'Delete a group.', 'DELETE', '/v3/groups/{id}'),
    _rule('list_users_in_group', DOMAIN_READER, 'List the members of a group.',
          'GET', '/v3/groups/{id}/users'),
    _rule('check_user_in_group', f'{DOMAIN_READER} or rule:owner',
          'Check group membership.', 'HEAD|GET', '/v3/groups/{id}/users/{user_id}'),
    _rule('add_user_to_group', DOMAIN_ADMIN, 'Add a user to a group.',
          'PUT', '/v3/groups/{id}/users/{user_id}'),
    _rule('remove_user_from_group', DOMAIN_ADMIN, 'Remove a user from a group.',
          'DELETE', '/v3/groups/{id}/users/{user_id}'),
    # Roles (global) and their implications.
    _rule('get_role', DOMAIN_READER, 'Show a role.', 'GET', '/v3/roles/{id}'),
    _rule('list_roles', DOMAIN_READER, 'List roles.', 'GET', '/v3/roles'),
    _rule('create_role', ADMIN, 'Create a role.', 'POST', '/v3/roles'),
    _rule('update_role', ADMIN, 'Update a role.', 'PATCH', '/v3/roles/{id}'),
    _rule('delete_role', ADMIN, 'Delete a role.', 'DELETE', '/v3/roles/{id}'),
    _rule('list_implied_roles', READER, 'List role implications.',
          'GET', '/v3/roles/{id}/implies'),
    _rule('create_implied_role', ADMIN, 'Make a role imply another.',
          'PUT', '/v3/roles/{id}/implies/{implied_id}'),
    _rule('delete_implied_role', ADMIN, 'Remove a role implication.',
          'DELETE', '/v3/roles/{id}/implies/{implied_id}'),
    _rule('list_role_inference_rules', READER, 'List all role implications.',
          'GET', '/v3/role_inferences'),
    # Grants: a domain admin manages grants inside their domain (never the
    # admin project's domain: see domain_admin), and never grants ``service``.
    _rule('check_grant', DOMAIN_READER, 'Check a role assignment.',
          'HEAD|GET', '/v3/{projects|domains}/{id}/{users|groups}/{actor}/roles/{role}'),
    _rule('list_grants', DOMAIN_READER, 'List the roles of an actor on a target.',
          'GET', '/v3/{projects|domains}/{id}/{users|groups}/{actor}/roles'),
    _rule('create_grant', 'rule:cloud_admin or (rule:domain_admin and rule:domain_grantable_role)',
          'Grant a role.',
          'PUT', '/v3/{projects|domains}/{id}/{users|groups}/{actor}/roles/{role}'),
    _rule('revoke_grant', DOMAIN_ADMIN, 'Revoke a role.',
          'DELETE', '/v3/{projects|domains}/{id}/{users|groups}/{actor}/roles/{role}'),
    _rule('list_system_grants', f'{READER} or rule:owner', 'List system role assignments.',
          'GET', '/v3/system/{users|groups}/{actor}/roles'),
    _rule('check_system_grant', f'{READER} or rule:owner', 'Check a system role assignment.',
          'HEAD|GET', '/v3/system/{users|groups}/{actor}/roles/{role}'),
    _rule('create_system_grant', ADMIN, 'Grant a role on the system.',
          'PUT', '/v3/system/{users|groups}/{actor}/roles/{role}'),
    _rule('revoke_system_grant', ADMIN, 'Revoke a role on the system.',
          'DELETE', '/v3/system/{users|groups}/{actor}/roles/{role}'),
    _rule('list_role_assignments', f'{DOMAIN_READER} or rule:owner',
          'List role assignments (a user may list their own).', 'GET', '/v3/role_assignments'),
    # Catalog: services register their own entries with the service role.
    _rule('get_region', ANYONE, 'Show a region.', 'GET', '/v3/regions/{id}'),
    _rule('list_regions', ANYONE, 'List regions.', 'GET', '/v3/regions'),
    _rule('create_region', ADMIN, 'Create a region.', 'POST|PUT', '/v3/regions'),
    _rule('update_region', ADMIN, 'Update a region.', 'PATCH', '/v3/regions/{id}'),
    _rule('delete_region', ADMIN, 'Delete a region.', 'DELETE', '/v3/regions/{id}'),
    _rule('get_service', f'{READER} or rule:service_role', 'Show a service.', 'GET',
          '/v3/services/{id}'),
    _rule('list_services', f'{READER} or rule:service_role', 'List services.', 'GET',
          '/v3/services'),
    _rule('create_service', f'{ADMIN} or rule:service_role', 'Create a service.', 'POST',
          '/v3/services'),
    _rule('update_service', f'{ADMIN} or rule:service_role', 'Update a service.', 'PATCH',
          '/v3/services/{id}'),
    _rule('delete_service', ADMIN, 'Delete a service.', 'DELETE', '/v3/services/{id}'),
    _rule('get_endpoint', f'{READER} or rule:service_role', 'Show an endpoint.', 'GET',
          '/v3/endpoints/{id}'),
    _rule('list_endpoints', f'{READER} or rule:service_role', 'List endpoints.', 'GET',
          '/v3/endpoints'),
    _rule('create_endpoint', f'{ADMIN} or rule:service_role', 'Create an endpoint.', 'POST',
          '/v3/endpoints'),
    _rule('update_endpoint', f'{ADMIN} or rule:service_role', 'Update an endpoint.', 'PATCH',
          '/v3/endpoints/{id}'),
    _rule('delete_endpoint', ADMIN, 'Delete an endpoint.', 'DELETE', '/v3/endpoints/{id}'),
    # Application credentials belong to their user alone.
    _rule('get_application_credential', f'{READER} or rule:owner',
          'Show an application credential.', 'GET',
          '/v3/users/{id}/application_credentials/{cred}'),
    _rule('list_application_credentials', f'{READER} or rule:owner',
          'List application credentials.', 'GET', '/v3/users/{id}/application_credentials'),
    _rule('create_application_credential', 'rule:owner', 'Create an application credential.',
          'POST', '/v3/users/{id}/application_credentials'),
    _rule('delete_application_credential', f'{ADMIN} or rule:owner',
          'Delete an application credential.', 'DELETE',
          '/v3/users/{id}/application_credentials/{cred}'),
]


def list_rules():
    return _BASE + _RULES
