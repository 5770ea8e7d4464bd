"""Default policy of the volume API (override in /etc/stratus/policy.yaml).

One module per group of resources, as in Cinder.  Project resources
(volumes, their metadata) need ``member`` in the owning project to change
and ``reader`` to read; cloud administrators may act on any project's.
Volume types, quotas' writes, services and state resets are for cloud
administrators.  Rules are named ``volume:<resource>:<action>``; targets
carry the owning project's ``project_id``.
"""
import importlib

from oslo_policy import policy

SCOPES = ['project']
PROJECT_READER = 'rule:cloud_reader or (role:reader and project_id:%(project_id)s)'
PROJECT_MEMBER = 'rule:cloud_admin or (role:member and project_id:%(project_id)s)'
ADMIN = 'rule:cloud_admin'
ANY_READER = 'rule:cloud_reader or role:reader'
ANY_MEMBER = 'rule:cloud_admin or role:member'
PREFIX = '/v3/{project_id}'

# The modules holding each group's ``RULES``.
MODULES = ('api', 'volumes', 'types', 'quotas', 'services', 'usage', 'attachments',
           'snapshots', 'backups', 'snapshot_policies',
           'volume_images')


def rule(name, check, description, method, path):
    """A documented rule ``volume:<name>``; ``method`` may be ``GET|POST``."""
    return policy.DocumentedRuleDefault(
        name=f'volume:{name}', check_str=check, description=description,
        operations=[{'method': mth, 'path': PREFIX + path} for mth in method.split('|')],
        scope_types=SCOPES)


def list_rules():
    rules = []
    for module in MODULES:
        rules.extend(importlib.import_module(f'volume.policies.{module}').RULES)
    return rules
