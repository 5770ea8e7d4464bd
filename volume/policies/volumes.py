"""Policy of volumes, their metadata and actions (Cinder's Secure RBAC defaults)."""
from volume.policies import ADMIN, PROJECT_MEMBER, PROJECT_READER, rule

_VOLUMES = '/volumes'
_VOLUME = '/volumes/{volume_id}'
_ACTION = '/volumes/{volume_id}/action'
_METADATA = '/volumes/{volume_id}/metadata'

RULES = [
    rule('volumes:create', PROJECT_MEMBER, 'Create a volume.', 'POST', _VOLUMES),
    rule('volumes:get', PROJECT_READER, 'Show a volume.', 'GET', _VOLUME),
    rule('volumes:get_all', PROJECT_READER,
         'List volumes (a cloud admin: with all_tenants, every project\'s).', 'GET',
         _VOLUMES + '/detail'),
    rule('volumes:update', PROJECT_MEMBER, 'Update a volume; set its bootable flag.',
         'PUT|POST', _VOLUME),
    rule('volumes:delete', PROJECT_MEMBER, 'Delete a volume.', 'DELETE', _VOLUME),
    rule('volumes:force_delete', ADMIN,
         'Delete a volume whatever its status (force=true, os-force_delete).', 'DELETE|POST',
         _VOLUME),
    rule('volumes:extend', PROJECT_MEMBER, 'Extend an available volume (os-extend).', 'POST',
         _ACTION),
    rule('volumes:extend_attached', PROJECT_MEMBER,
         'Extend an in-use volume (os-extend, from 3.42).', 'POST', _ACTION),
    rule('volumes:update_readonly_flag', PROJECT_MEMBER,
         'Make a volume read-only or not (os-update_readonly_flag).', 'POST', _ACTION),
    rule('volumes:reset_status', ADMIN,
         'Set a volume\'s status, attach or migration status (os-reset_status).', 'POST',
         _ACTION),
    rule('volumes:tenant_attribute', PROJECT_READER,
         'See os-vol-tenant-attr:tenant_id in volume bodies.', 'GET', _VOLUME),
    rule('volumes:host_attribute', ADMIN, 'See os-vol-host-attr:host in volume bodies.',
         'GET', _VOLUME),
    rule('volumes:mig_status_attribute', ADMIN,
         'See os-vol-mig-status-attr:* in volume bodies.', 'GET', _VOLUME),
    rule('volumes:image_metadata', PROJECT_READER,
         'See volume_image_metadata in volume bodies.', 'GET', _VOLUME),
    rule('volume_metadata:get', PROJECT_READER, 'Show a volume\'s metadata.', 'GET',
         _METADATA),
    rule('volume_metadata:update', PROJECT_MEMBER, 'Set a volume\'s metadata.', 'POST|PUT',
         _METADATA),
    rule('volume_metadata:delete', PROJECT_MEMBER, 'Delete a volume\'s metadata item.',
         'DELETE', _METADATA + '/{key}'),
]
