"""Policy of ``/limits``: anyone reads their project's, cloud administrators any project's."""
from compute.policies import ADMIN, ANY_READER, rule

RULES = [
    rule('limits', ANY_READER, 'Show the limits and usage of the caller\'s project.', 'GET',
         '/limits'),
    rule('limits:other_project', ADMIN, 'Show the limits of another project (tenant_id).',
         'GET', '/limits'),
]
