"""Policy of backups and their actions (Cinder's Secure RBAC defaults)."""
from volume.policies import ADMIN, PROJECT_MEMBER, PROJECT_READER, rule

_BACKUPS = '/backups'
_BACKUP = '/backups/{backup_id}'
_ACTION = '/backups/{backup_id}/action'

RULES = [
    rule('backups:create', PROJECT_MEMBER, 'Back a volume up.', 'POST', _BACKUPS),
    rule('backups:get', PROJECT_READER, 'Show a backup.', 'GET', _BACKUP),
    rule('backups:get_all', PROJECT_READER,
         'List backups (a cloud admin: with all_tenants, every project\'s).', 'GET',
         _BACKUPS + '/detail'),
    rule('backups:delete', PROJECT_MEMBER, 'Delete a backup.', 'DELETE', _BACKUP),
    rule('backups:restore', PROJECT_MEMBER, 'Restore a backup onto a volume.', 'POST',
         _BACKUP + '/restore'),
    rule('backups:project_attribute', ADMIN,
         'See os-backup-project-attr:project_id in backup bodies.', 'GET', _BACKUP),
    rule('backups:reset_status', ADMIN, 'Set a backup\'s status (os-reset_status).', 'POST',
         _ACTION),
    rule('backups:force_delete', ADMIN,
         'Delete a backup whatever its status (os-force_delete, force=true).', 'POST|DELETE',
         _ACTION),
]
