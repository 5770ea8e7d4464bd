"""Policy of snapshot policies (recurring snapshots): a project's members manage them."""
from volume.policies import PROJECT_MEMBER, PROJECT_READER, rule

_POLICIES = '/snapshot-policies'
_POLICY = '/snapshot-policies/{policy_id}'

RULES = [
    rule('snapshot_policies:create', PROJECT_MEMBER, 'Snapshot a volume on a schedule.',
         'POST', _POLICIES),
    rule('snapshot_policies:get', PROJECT_READER, 'Show a snapshot policy.', 'GET', _POLICY),
    rule('snapshot_policies:get_all', PROJECT_READER,
         'List snapshot policies (a cloud admin: with all_tenants, every project\'s).', 'GET',
         _POLICIES),
    rule('snapshot_policies:update', PROJECT_MEMBER, 'Change a snapshot policy.', 'PUT',
         _POLICY),
    rule('snapshot_policies:delete', PROJECT_MEMBER, 'Delete a snapshot policy.', 'DELETE',
         _POLICY),
]
