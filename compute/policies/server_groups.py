"""Policy of ``os-server-groups``: a project's groups, like its servers."""
from compute.policies import ADMIN, PROJECT_MEMBER, PROJECT_READER, rule

_GROUPS = '/os-server-groups'
_GROUP = '/os-server-groups/{server_group_id}'

RULES = [
    rule('os-server-groups:index', PROJECT_READER, "List the project's server groups.",
         'GET', _GROUPS),
    rule('os-server-groups:index:all_projects', ADMIN,
         'List the server groups of every project (all_projects).', 'GET', _GROUPS),
    rule('os-server-groups:show', PROJECT_READER, 'Show a server group.', 'GET', _GROUP),
    rule('os-server-groups:create', PROJECT_MEMBER, 'Create a server group.', 'POST',
         _GROUPS),
    rule('os-server-groups:delete', PROJECT_MEMBER, 'Delete a server group.', 'DELETE',
         _GROUP),
]
