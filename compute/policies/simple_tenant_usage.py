"""Policy of ``os-simple-tenant-usage``: a project reads its own usage, admins all."""
from compute.policies import ADMIN, PROJECT_READER, rule

RULES = [
    rule('os-simple-tenant-usage:list', ADMIN, 'Show the usage of every project.', 'GET',
         '/os-simple-tenant-usage'),
    rule('os-simple-tenant-usage:show', PROJECT_READER, "Show one project's usage.", 'GET',
         '/os-simple-tenant-usage/{tenant_id}'),
]
