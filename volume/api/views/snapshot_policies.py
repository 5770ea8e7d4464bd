"""``snapshot_policy`` bodies (a Stratus extension: CloudStack's recurring snapshots)."""
from common.wsgi.timestamps import microsecond_time

FIELDS = ('id', 'project_id', 'volume_id', 'interval_type', 'schedule', 'timezone',
          'max_snaps', 'enabled')
TIMES = ('next_run_at', 'last_run_at', 'created_at', 'updated_at')


def detail(policy):
    """The body of a stored policy (a ``SnapshotPolicy`` row); times as Cinder writes them."""
    body = {name: getattr(policy, name) for name in FIELDS}
    body.update({name: microsecond_time(getattr(policy, name)) for name in TIMES})
    return body
