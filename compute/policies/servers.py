"""Policy of servers and of what hangs off them: metadata, tags, addresses.

Nova's rule names, under ``compute:`` instead of ``os_compute_api:``.
A project's readers read its servers and its members change them; cloud
administrators act on any project's servers and alone see where servers
run (hosts, extended attributes, host status), list every project's
servers and pick a host at create.
"""
from compute.policies import ADMIN, PROJECT_MEMBER, PROJECT_READER, rule

_SERVERS = '/servers'
_SERVER = '/servers/{server_id}'

RULES = [
    rule('servers:index', PROJECT_READER, 'List servers.', 'GET', _SERVERS),
    rule('servers:detail', PROJECT_READER, 'List servers with details.', 'GET',
         f'{_SERVERS}/detail'),
    rule('servers:index:get_all_tenants', ADMIN, 'List the servers of every project.',
         'GET', _SERVERS),
    rule('servers:detail:get_all_tenants', ADMIN,
         'List the servers of every project, with details.', 'GET', f'{_SERVERS}/detail'),
    rule('servers:allow_all_filters', ADMIN,
         'Filter server lists on any attribute (host, user_id, deleted …), not only on '
         'the filters every project may use.', 'GET', f'{_SERVERS}/detail'),
    rule('servers:show', PROJECT_READER, 'Show a server.', 'GET', _SERVER),
    rule('servers:show:host_status', ADMIN, 'See the state of the host of a server '
         '(host_status, 2.16).', 'GET', _SERVER),
    rule('os-extended-server-attributes', ADMIN,
         'See the OS-EXT-SRV-ATTR:* attributes of servers (host, instance name …).',
         'GET', _SERVER),
    rule('servers:create', PROJECT_MEMBER, 'Create servers.', 'POST', _SERVERS),
    rule('servers:create:forced_host', ADMIN,
         'Create a server on a chosen host (availability_zone "zone:host").', 'POST',
         _SERVERS),
    rule('servers:create:zero_disk_flavor', ADMIN,
         'Boot a server from an image with a flavor of zero root disk (its disk then '
         'takes the image size, which no quota limits).', 'POST', _SERVERS),
    rule('servers:update', PROJECT_MEMBER, 'Update a server.', 'PUT', _SERVER),
    rule('servers:delete', PROJECT_MEMBER, 'Delete a server.', 'DELETE', _SERVER),
    rule('server-metadata:index', PROJECT_READER, 'List the metadata of a server.', 'GET',
         f'{_SERVER}/metadata'),
    rule('server-metadata:show', PROJECT_READER, 'Show a metadata item of a server.', 'GET',
         f'{_SERVER}/metadata/{{key}}'),
    rule('server-metadata:create', PROJECT_MEMBER, 'Add metadata items to a server.', 'POST',
         f'{_SERVER}/metadata'),
    rule('server-metadata:update_all', PROJECT_MEMBER, 'Replace the metadata of a server.',
         'PUT', f'{_SERVER}/metadata'),
    rule('server-metadata:update', PROJECT_MEMBER, 'Set a metadata item of a server.', 'PUT',
         f'{_SERVER}/metadata/{{key}}'),
    rule('server-metadata:delete', PROJECT_MEMBER, 'Delete a metadata item of a server.',
         'DELETE', f'{_SERVER}/metadata/{{key}}'),
    rule('server-tags:index', PROJECT_READER, 'List the tags of a server.', 'GET',
         f'{_SERVER}/tags'),
    rule('server-tags:show', PROJECT_READER, 'Check a tag of a server.', 'GET',
         f'{_SERVER}/tags/{{tag}}'),
    rule('server-tags:update', PROJECT_MEMBER, 'Add a tag to a server.', 'PUT',
         f'{_SERVER}/tags/{{tag}}'),
    rule('server-tags:update_all', PROJECT_MEMBER, 'Replace the tags of a server.', 'PUT',
         f'{_SERVER}/tags'),
    rule('server-tags:delete', PROJECT_MEMBER, 'Remove a tag from a server.', 'DELETE',
         f'{_SERVER}/tags/{{tag}}'),
    rule('server-tags:delete_all', PROJECT_MEMBER, 'Remove every tag of a server.', 'DELETE',
         f'{_SERVER}/tags'),
    rule('ips:index', PROJECT_READER, 'List the addresses of a server.', 'GET',
         f'{_SERVER}/ips'),
    rule('ips:show', PROJECT_READER, 'List the addresses of a server on one network.', 'GET',
         f'{_SERVER}/ips/{{network_label}}'),
]
