"""Policy of ``os-hypervisors``: hosts' resources are for cloud administrators."""
from compute.policies import ADMIN, rule

_HYPERVISORS = '/os-hypervisors'

RULES = [
    rule('os-hypervisors:list', ADMIN, 'List hypervisors.', 'GET', _HYPERVISORS),
    rule('os-hypervisors:list-detail', ADMIN, 'List hypervisors with their resources.',
         'GET', f'{_HYPERVISORS}/detail'),
    rule('os-hypervisors:statistics', ADMIN,
         'Show the resources of all enabled hypervisors, summed.', 'GET',
         f'{_HYPERVISORS}/statistics'),
    rule('os-hypervisors:show', ADMIN, 'Show a hypervisor.', 'GET',
         f'{_HYPERVISORS}/{{hypervisor_id}}'),
    rule('os-hypervisors:uptime', ADMIN, 'Show the uptime of a hypervisor.', 'GET',
         f'{_HYPERVISORS}/{{hypervisor_id}}/uptime'),
    rule('os-hypervisors:search', ADMIN, 'Find hypervisors by host name (before 2.53).',
         'GET', f'{_HYPERVISORS}/{{hypervisor_hostname_pattern}}/search'),
    rule('os-hypervisors:servers', ADMIN,
         'List the servers of hypervisors found by host name (before 2.53).', 'GET',
         f'{_HYPERVISORS}/{{hypervisor_hostname_pattern}}/servers'),
]
