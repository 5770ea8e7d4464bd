"""``snapshot`` bodies, shaped by the request's microversion as Cinder shapes them."""
from common.wsgi.timestamps import microsecond_time
from volume.api import microversion


def detail(snapshot, metadata, *, extended):
    """The body of ``snapshot`` with its ``metadata``.

    :param extended: add Cinder's ``os-extended-snapshot-attributes``
        (the owner and progress), which policy shows in lists and shows.
    """
    body = {
        'id': snapshot.id,
        'created_at': microsecond_time(snapshot.created_at),
        'updated_at': microsecond_time(snapshot.updated_at),
        'name': snapshot.name,
        'description': snapshot.description,
        'volume_id': snapshot.volume_id,
        'status': snapshot.status,
        'size': snapshot.volume_size,
        'metadata': metadata,
    }
    if microversion.at_least('3.14'):
        body['group_snapshot_id'] = None
    if microversion.at_least('3.41'):
        body['user_id'] = snapshot.user_id
    if microversion.at_least('3.65'):
        body['consumes_quota'] = bool(snapshot.use_quota)
    if extended:
        body['os-extended-snapshot-attributes:project_id'] = snapshot.project_id
        body['os-extended-snapshot-attributes:progress'] = snapshot.progress
    return body
