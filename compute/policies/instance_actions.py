"""Policy of ``/servers/{server_id}/os-instance-actions``.

A project's readers list the actions on its servers and see their events;
the events' tracebacks (which may name hosts and code paths) are for
cloud administrators, who also see events below microversion 2.51, where
Nova showed events to administrators only.
"""
from compute.policies import ADMIN, PROJECT_READER, rule

_ACTIONS = '/servers/{server_id}/os-instance-actions'

RULES = [
    rule('os-instance-actions:list', PROJECT_READER, 'List the actions on a server.', 'GET',
         _ACTIONS),
    rule('os-instance-actions:show', PROJECT_READER, 'Show an action on a server.', 'GET',
         f'{_ACTIONS}/{{request_id}}'),
    rule('os-instance-actions:events', ADMIN,
         'See the events of an action with their tracebacks (and at every version).',
         'GET', f'{_ACTIONS}/{{request_id}}'),
]
