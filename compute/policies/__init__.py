"""Default policy of the compute API (override in /etc/stratus/policy.yaml).

One module per resource, as in Nova.  Project resources (servers, server
groups, key pairs' users) need ``member`` in the owning project to change
and ``reader`` to read; cloud administrators may act on any project's;
host-level resources (hypervisors, services, aggregates, flavors' writes,
quotas' writes, other projects' usage) are for cloud administrators.
"""
import importlib

from oslo_policy import policy

SCOPES = ['project']
PROJECT_READER = 'rule:cloud_reader or (role:reader and project_id:%(project_id)s)'
PROJECT_MEMBER = 'rule:cloud_admin or (role:member and project_id:%(project_id)s)'
ADMIN = 'rule:cloud_admin'
ANY_READER = 'rule:cloud_reader or role:reader'

# The modules holding each resource's ``RULES``.
MODULES = (
    'servers',
    'flavors', 'keypairs', 'limits', 'quota_sets',
    'server_actions', 'instance_actions',
    'availability_zones', 'aggregates', 'services', 'hypervisors', 'simple_tenant_usage',
    'server_groups', 'server_external_events', 'volume_attachments',
)


def rule(name, check, description, method, path):
    """A documented rule ``compute:<name>``; ``method`` may be ``GET|POST``."""
    return policy.DocumentedRuleDefault(
        name=f'compute:{name}', check_str=check, description=description,
        operations=[{'method': mth, 'path': path} for mth in method.split('|')],
        scope_types=SCOPES)


def list_rules():
    rules = []
    for module in MODULES:
        rules.extend(importlib.import_module(f'compute.policies.{module}').RULES)
    return rules
