"""Policy of services (cloud admins) and availability zones (any reader)."""
from volume.policies import ADMIN, ANY_READER, rule

RULES = [
    rule('services:list', ADMIN, 'List volume services and whether they are up.', 'GET',
         '/os-services'),
    rule('services:update', ADMIN, 'Enable or disable a volume service.', 'PUT',
         '/os-services/{action}'),
    rule('availability_zones:list', ANY_READER, 'List availability zones.', 'GET',
         '/os-availability-zone'),
]
