"""Policy of ``os-aggregates``: host aggregates and zones are cloud administration."""
from compute.policies import ADMIN, rule

_AGGREGATES = '/os-aggregates'
_AGGREGATE = '/os-aggregates/{aggregate_id}'
_ACTION = '/os-aggregates/{aggregate_id}/action'

RULES = [
    rule('os-aggregates:index', ADMIN, 'List host aggregates.', 'GET', _AGGREGATES),
    rule('os-aggregates:create', ADMIN, 'Create a host aggregate.', 'POST', _AGGREGATES),
    rule('os-aggregates:show', ADMIN, 'Show a host aggregate.', 'GET', _AGGREGATE),
    rule('os-aggregates:update', ADMIN, 'Rename a host aggregate or change its zone.',
         'PUT', _AGGREGATE),
    rule('os-aggregates:delete', ADMIN, 'Delete an empty host aggregate.', 'DELETE',
         _AGGREGATE),
    rule('os-aggregates:add_host', ADMIN, 'Add a host to an aggregate.', 'POST', _ACTION),
    rule('os-aggregates:remove_host', ADMIN, 'Remove a host from an aggregate.', 'POST',
         _ACTION),
    rule('os-aggregates:set_metadata', ADMIN, 'Set or remove metadata of an aggregate.',
         'POST', _ACTION),
]
