"""Policy of ``os-availability-zone``: anyone may list zones, admins see their hosts."""
from compute.policies import ADMIN, ANY_READER, rule

RULES = [
    rule('os-availability-zone:list', ANY_READER,
         'List availability zones and whether each is available.', 'GET',
         '/os-availability-zone'),
    rule('os-availability-zone:detail', ADMIN,
         'List availability zones with their hosts and services (internal zone '
         'included).', 'GET', '/os-availability-zone/detail'),
]
