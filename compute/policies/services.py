"""Policy of ``os-services``: conductors' and agents' records are for cloud admins."""
from compute.policies import ADMIN, rule

RULES = [
    rule('os-services:list', ADMIN, 'List compute services and whether they are up.',
         'GET', '/os-services'),
    rule('os-services:update', ADMIN,
         'Enable, disable or force down a compute agent.', 'PUT',
         '/os-services/{service_id}'),
    rule('os-services:delete', ADMIN,
         'Delete a service record (an agent only when its host has no servers).',
         'DELETE', '/os-services/{service_id}'),
]
