"""Policy of volume types, their extra specs and access lists: readers see, cloud admins change."""
from volume.policies import ADMIN, ANY_MEMBER, ANY_READER, rule

_TYPES = '/types'
_TYPE = '/types/{type_id}'
_SPECS = '/types/{type_id}/extra_specs'

RULES = [
    rule('types:get_all', ANY_READER, 'List volume types.', 'GET', _TYPES),
    rule('types:get', ANY_READER, 'Show a volume type (or the default one).', 'GET', _TYPE),
    rule('types:create', ADMIN, 'Create a volume type.', 'POST', _TYPES),
    rule('types:update', ADMIN, 'Update a volume type.', 'PUT', _TYPE),
    rule('types:delete', ADMIN, 'Delete a volume type.', 'DELETE', _TYPE),
    rule('types:read_sensitive', ADMIN,
         'See every extra spec of volume types, not only the user-visible ones.', 'GET',
         _TYPE),
    rule('types:access_attribute', ANY_MEMBER,
         'See os-volume-type-access:is_public in volume type bodies.', 'GET', _TYPE),
    rule('type_extra_specs:get_all', ANY_READER, 'List a volume type\'s extra specs.', 'GET',
         _SPECS),
    rule('type_extra_specs:get', ANY_READER, 'Show an extra spec.', 'GET', _SPECS + '/{key}'),
    rule('type_extra_specs:create', ADMIN, 'Set extra specs.', 'POST', _SPECS),
    rule('type_extra_specs:update', ADMIN, 'Set an extra spec.', 'PUT', _SPECS + '/{key}'),
    rule('type_extra_specs:delete', ADMIN, 'Delete an extra spec.', 'DELETE',
         _SPECS + '/{key}'),
    rule('type_access:list', ADMIN, 'List the projects of a private volume type.', 'GET',
         _TYPE + '/os-volume-type-access'),
    rule('type_access:add_project', ADMIN, 'Let a project use a private volume type.',
         'POST', _TYPE + '/action'),
    rule('type_access:remove_project', ADMIN,
         'Stop a project from using a private volume type.', 'POST', _TYPE + '/action'),
]
