"""Policy of quota sets and limits: a project reads its own; cloud administrators set them."""
from volume.policies import ADMIN, PROJECT_READER, rule

_QUOTA_SET = '/os-quota-sets/{target_project_id}'

RULES = [
    rule('quota_sets:show', PROJECT_READER, 'Show a project\'s quotas, usage or defaults.',
         'GET', _QUOTA_SET),
    rule('quota_sets:update', ADMIN, 'Set a project\'s quotas.', 'PUT', _QUOTA_SET),
    rule('quota_sets:delete', ADMIN, 'Reset a project\'s quotas to the defaults.', 'DELETE',
         _QUOTA_SET),
    rule('limits:get', PROJECT_READER, 'Show the project\'s limits and usage.', 'GET',
         '/limits'),
]
