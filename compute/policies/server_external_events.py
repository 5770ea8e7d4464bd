"""Policy of ``os-server-external-events``: other services tell compute about servers.

Nova's default is the ``service`` role alone; cloud administrators may too,
so that an operator can replay an event the network service lost.
"""
from compute.policies import ADMIN, rule

RULES = [
    rule('os-server-external-events:create', f'{ADMIN} or rule:service_role',
         'Report events of servers (network-vif-plugged …) from another service.',
         'POST', '/os-server-external-events'),
]
