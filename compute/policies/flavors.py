"""Policy of flavors, their extra specs and their private access lists.

Nova's rule names, under ``compute:``.  Any reader lists and shows flavors
(which private ones a project sees is decided by access, in
``compute.flavors``); creating, changing and sharing them is for cloud
administrators.
"""
from compute.policies import ADMIN, ANY_READER, rule

_FLAVORS = '/flavors'
_FLAVOR = '/flavors/{flavor_id}'
_SPECS = '/flavors/{flavor_id}/os-extra_specs'

RULES = [
    rule('flavors:index', ANY_READER, 'List flavors.', 'GET', _FLAVORS),
    rule('flavors:show', ANY_READER, 'Show a flavor.', 'GET', _FLAVOR),
    rule('os-flavor-manage:create', ADMIN, 'Create a flavor.', 'POST', _FLAVORS),
    rule('os-flavor-manage:update', ADMIN, 'Change a flavor\'s description (2.55).', 'PUT',
         _FLAVOR),
    rule('os-flavor-manage:delete', ADMIN, 'Delete a flavor.', 'DELETE', _FLAVOR),
    rule('os-flavor-extra-specs:index', ANY_READER, 'List a flavor\'s extra specs.', 'GET',
         _SPECS),
    rule('os-flavor-extra-specs:show', ANY_READER, 'Show one extra spec of a flavor.', 'GET',
         f'{_SPECS}/{{key}}'),
    rule('os-flavor-extra-specs:create', ADMIN, 'Add or replace extra specs of a flavor.',
         'POST', _SPECS),
    rule('os-flavor-extra-specs:update', ADMIN, 'Set one extra spec of a flavor.', 'PUT',
         f'{_SPECS}/{{key}}'),
    rule('os-flavor-extra-specs:delete', ADMIN, 'Delete one extra spec of a flavor.',
         'DELETE', f'{_SPECS}/{{key}}'),
    rule('os-flavor-access', ADMIN, 'List the projects a private flavor is shared with.',
         'GET', f'{_FLAVOR}/os-flavor-access'),
    rule('os-flavor-access:add_tenant_access', ADMIN, 'Share a private flavor with a project.',
         'POST', f'{_FLAVOR}/action'),
    rule('os-flavor-access:remove_tenant_access', ADMIN,
         'Stop sharing a private flavor with a project.', 'POST', f'{_FLAVOR}/action'),
]
