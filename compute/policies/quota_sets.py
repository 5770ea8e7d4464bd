"""Policy of ``os-quota-sets``: a project reads its own quotas; cloud administrators set them."""
from compute.policies import ADMIN, ANY_READER, PROJECT_READER, rule

_QUOTA_SET = '/os-quota-sets/{tenant_id}'

RULES = [
    rule('os-quota-sets:show', PROJECT_READER, 'Show a project\'s quotas.', 'GET', _QUOTA_SET),
    rule('os-quota-sets:detail', PROJECT_READER, 'Show a project\'s quotas and usage.', 'GET',
         f'{_QUOTA_SET}/detail'),
    rule('os-quota-sets:defaults', ANY_READER, 'Show the default quotas.', 'GET',
         f'{_QUOTA_SET}/defaults'),
    rule('os-quota-sets:update', ADMIN, 'Set a project\'s quotas.', 'PUT', _QUOTA_SET),
    rule('os-quota-sets:delete', ADMIN, 'Reset a project\'s quotas to the defaults.',
         'DELETE', _QUOTA_SET),
]
