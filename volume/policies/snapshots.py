"""Policy of snapshots, their metadata and actions (Cinder's Secure RBAC defaults)."""
from volume.policies import ADMIN, PROJECT_MEMBER, PROJECT_READER, rule

_SNAPSHOTS = '/snapshots'
_SNAPSHOT = '/snapshots/{snapshot_id}'
_ACTION = '/snapshots/{snapshot_id}/action'
_METADATA = '/snapshots/{snapshot_id}/metadata'

RULES = [
    rule('snapshots:create', PROJECT_MEMBER, 'Snapshot a volume.', 'POST', _SNAPSHOTS),
    rule('snapshots:get', PROJECT_READER, 'Show a snapshot.', 'GET', _SNAPSHOT),
    rule('snapshots:get_all', PROJECT_READER,
         'List snapshots (a cloud admin: with all_tenants, every project\'s).', 'GET',
         _SNAPSHOTS + '/detail'),
    rule('snapshots:update', PROJECT_MEMBER, 'Rename or describe a snapshot.', 'PUT',
         _SNAPSHOT),
    rule('snapshots:delete', PROJECT_MEMBER, 'Delete a snapshot.', 'DELETE', _SNAPSHOT),
    rule('snapshots:extended_attributes', PROJECT_READER,
         'See os-extended-snapshot-attributes:* in snapshot bodies.', 'GET', _SNAPSHOT),
    rule('snapshots:reset_status', ADMIN, 'Set a snapshot\'s status (os-reset_status).',
         'POST', _ACTION),
    rule('snapshots:force_delete', ADMIN,
         'Delete a snapshot whatever its status (os-force_delete).', 'POST', _ACTION),
    rule('snapshot_metadata:get', PROJECT_READER, 'Show a snapshot\'s metadata.', 'GET',
         _METADATA),
    rule('snapshot_metadata:update', PROJECT_MEMBER, 'Set a snapshot\'s metadata.',
         'POST|PUT', _METADATA),
    rule('snapshot_metadata:delete', PROJECT_MEMBER, 'Delete a snapshot\'s metadata item.',
         'DELETE', _METADATA + '/{key}'),
]
