"""``backup`` bodies, shaped by the request's microversion as Cinder shapes them."""
from common.wsgi.timestamps import microsecond_time
from volume.api import microversion


def summary(backup, links):
    return {'id': backup.id, 'name': backup.name, 'links': links}


def detail(backup, links, *, metadata, has_dependants, project_attribute):
    """The detailed body of ``backup``.

    :param project_attribute: add ``os-backup-project-attr:project_id`` (3.18,
        when policy shows it).
    """
    body = {
        'id': backup.id,
        'status': backup.status,
        'size': backup.size,
        'object_count': backup.object_count,
        'availability_zone': backup.availability_zone,
        'container': backup.container,
        'created_at': microsecond_time(backup.created_at),
        'updated_at': microsecond_time(backup.updated_at),
        'name': backup.name,
        'description': backup.description,
        'fail_reason': backup.fail_reason,
        'volume_id': backup.volume_id,
        'links': links,
        'is_incremental': bool(backup.incremental),
        'has_dependent_backups': has_dependants,
        'snapshot_id': backup.snapshot_id,
        'data_timestamp': microsecond_time(backup.data_timestamp),
    }
    if project_attribute and microversion.at_least('3.18'):
        body['os-backup-project-attr:project_id'] = backup.project_id
    if microversion.at_least('3.43'):
        body['metadata'] = metadata
    if microversion.at_least('3.56'):
        body['user_id'] = backup.user_id
    if microversion.at_least('3.64'):
        body['encryption_key_id'] = None
    return body
