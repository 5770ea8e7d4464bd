"""``aggregate`` bodies (Nova's ``_marshall_aggregate``)."""
from common.wsgi.timestamps import microsecond_time
from compute.api import microversion
from compute.zones import ZONE_KEY


def render(aggregate, hosts, metadata, *, with_members=True):
    """One aggregate; ``with_members=False`` leaves out hosts and metadata (create)."""
    body = {'id': aggregate.id}
    if microversion.at_least('2.41'):
        body['uuid'] = aggregate.uuid
    body['name'] = aggregate.name
    if with_members:
        body['hosts'] = hosts
        body['metadata'] = metadata
    body.update({'availability_zone': metadata.get(ZONE_KEY),
                 'created_at': microsecond_time(aggregate.created_at),
                 'updated_at': microsecond_time(aggregate.updated_at),
                 'deleted_at': None, 'deleted': False})
    return body
