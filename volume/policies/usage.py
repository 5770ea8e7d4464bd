"""Policy of the usage API: a project reads its own GB-hours; cloud administrators any."""
from volume.policies import PROJECT_READER, rule

RULES = [
    rule('usage:show', PROJECT_READER,
         'Show the GB-hours of a project\'s volumes and snapshots over a period.', 'GET',
         '/os-usage/{target_project_id}'),
]
