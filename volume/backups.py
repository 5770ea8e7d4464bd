"""Backups: who sees them, what a create or restore asks for, and their states.

Every status change is a conditional UPDATE on the statuses expected, of
the backup (``transition``) and of its volume (``db.api.transition``), so
that two racing requests, or a late report, cannot both win.

Transitions (the conductor finishes them):

* create: (new row) ``creating`` → ``available`` | ``error``; the volume
  ``available``/``in-use`` → ``backing-up`` → back to its ``previous_status``.
* restore: ``available`` → ``restoring`` → ``available``; the target volume
  ``available`` → ``restoring-backup`` → ``available`` | ``error_restoring``,
  or a new volume ``creating`` → ``available`` | ``error``.
* delete: ``available``/``error`` (any but ``deleting`` with force) →
  ``deleting`` → ``deleted`` | ``error_deleting``; never while incremental
  backups depend on it.

Backups are written by the agent of the volume's backend into its
``[backend] backup_dir``; restoring onto a volume of another backend
needs that directory shared between the agents (as Cinder's NFS backup
driver shares its export).
"""
import sqlalchemy as sa

from common import exceptions
from volume import exceptions as vol_exc
from volume import quotas
from volume import states
from volume import volumes
from volume.db import api as db_api
from volume.db import models as m

DELETABLE = (states.BACKUP_AVAILABLE, states.BACKUP_ERROR)
RESETTABLE = (states.BACKUP_AVAILABLE, states.BACKUP_ERROR)
SERVICE = 'file'


class BackupNotFound(exceptions.NotFound):
    msg_fmt = 'Backup %(backup_id)s could not be found.'


class InvalidBackup(exceptions.BadRequest):
    msg_fmt = 'Invalid backup: %(reason)s'


def visible(caller):
    """The SQL condition for the (not deleted) backups ``caller`` may see."""
    return db_api.visible(m.Backup, caller)


def get(session, caller, backup_id):
    """:raises BackupNotFound: no such backup, or one of another project."""
    backup = session.execute(sa.select(m.Backup).where(
        m.Backup.id == backup_id, visible(caller))).scalar_one_or_none()
    if backup is None:
        raise BackupNotFound(backup_id=backup_id)
    return backup


def transition(session, backup_id, expected, **values):
    """Change a live backup only if its status is one of ``expected`` (``None``: any)."""
    return db_api.transition_row(session, m.Backup, backup_id, expected, **values)


def dependants(session, backup_ids):
    """The ids among ``backup_ids`` that live incremental backups name as parent."""
    if not backup_ids:
        return set()
    return set(session.execute(sa.select(m.Backup.parent_id).where(
        m.Backup.parent_id.in_(list(backup_ids)), m.Backup.deleted_at.is_(None))).scalars())


def _latest(session, volume_id):
    """The newest available backup of the volume, parent of an incremental one."""
    return session.execute(sa.select(m.Backup).where(
        m.Backup.volume_id == volume_id, m.Backup.deleted_at.is_(None),
        m.Backup.status == states.BACKUP_AVAILABLE)
        .order_by(m.Backup.data_timestamp.desc(), m.Backup.created_at.desc(),
                  m.Backup.id.desc()).limit(1)).scalar_one_or_none()


def create(session, conf, caller, user_id, attrs):
    """Store a new backup (status ``creating``) and put its volume ``backing-up``.

    :param attrs: ``volume_id``, and optionally ``name``, ``description``,
        ``container``, ``incremental``, ``force``, ``metadata`` and
        ``availability_zone`` (which must be the volume's: its agent makes it).
    :raises VolumeNotFound: (404) no such volume for the caller.
    :raises InvalidVolume: (400) the volume's status does not allow it.
    :raises InvalidBackup: (400) an incremental backup without a full one.
    :raises QuotaError: (413) over ``backups`` or ``backup_gigabytes``.
    """
    volume = volumes.get(session, caller, attrs['volume_id'])
    status = volume.status  # the one checked: the touch of a parent reloads the row
    if status not in (states.AVAILABLE, states.IN_USE):
        raise vol_exc.InvalidVolume(reason=f'Volume to be backed up must be available or '
                                           f'in-use, but the current status is '
                                           f'"{volume.status}".')
    if volume.status == states.IN_USE and not attrs.get('force'):
        raise vol_exc.InvalidVolume(reason='Backing up an in-use volume must use the force '
                                           'flag.')
    zone = attrs.get('availability_zone')
    if zone and zone != volume.availability_zone:
        raise vol_exc.InvalidInput(reason=f'A backup is made in the availability zone of its '
                                          f'volume ({volume.availability_zone}), not in '
                                          f'{zone}.')
    parent = None
    if attrs.get('incremental'):
        parent = _latest(session, volume.id)
        if parent is None:
            raise InvalidBackup(reason='No backups available to do an incremental backup.')
    quotas.Quotas(conf).enforce(session, volume.project_id,
                                {'backups': 1, 'backup_gigabytes': volume.size})
    # The parent's row is touched on its status (a lock until commit): a delete of it
    # racing this create either is refused by ``begin_delete`` or makes this create fail,
    # never both win (the child would restore from deleted chunks).
    if parent is not None and not transition(session, parent.id, (states.BACKUP_AVAILABLE,)):
        raise InvalidBackup(reason='No backups available to do an incremental backup.')
    if not db_api.transition(session, volume.id, (status,), status=states.BACKING_UP,
                             previous_status=status):
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} changed status meanwhile; '
                                           'try again.')
    backup = m.Backup(project_id=volume.project_id, user_id=user_id, volume_id=volume.id,
                      parent_id=parent.id if parent else None, incremental=parent is not None,
                      name=attrs.get('name'), description=attrs.get('description'),
                      container=attrs.get('container'), status=states.BACKUP_CREATING,
                      size=volume.size, availability_zone=volume.availability_zone,
                      service=SERVICE)
    session.add(backup)
    session.flush()
    for key, value in (attrs.get('metadata') or {}).items():
        session.add(m.BackupMetadata(backup_id=backup.id, key=key, value=value))
    session.flush()
    return backup


def undo_create(session, backup_id, volume_id):
    """A create whose cast failed: the backup in error, its volume as it was."""
    transition(session, backup_id, (states.BACKUP_CREATING,), status=states.BACKUP_ERROR,
               fail_reason='The volume conductor was unreachable.')
    release_volume(session, volume_id, states.BACKING_UP)


def release_volume(session, volume_id, busy_status):
    """Put a volume in ``busy_status`` back in its ``previous_status``."""
    return db_api.transition(session, volume_id, (busy_status,),
                             status=m.Volume.previous_status, previous_status=None)


def begin_delete(session, backup, *, force=False):
    """Start deleting ``backup`` (status ``deleting``); returns the status it had.

    :raises InvalidBackup: (400) it has dependent incremental backups, or
        its status does not allow it.
    """
    previous = backup.status
    expected = None if force else DELETABLE
    if dependants(session, [backup.id]):
        raise InvalidBackup(reason='Incremental backups exist for this backup.')
    if not _to_deleting(session, backup.id, expected):
        raise InvalidBackup(reason='Backup status must be available or error' if not force
                            else 'Backup is already being deleted.')
    # Checked again once the row is ours: an incremental create that touched it
    # (``create``) committed before our UPDATE could go on; the caller rolls back.
    if dependants(session, [backup.id]):
        raise InvalidBackup(reason='Incremental backups exist for this backup.')
    return previous


def undo_delete(session, backup_id, previous):
    """A delete whose cast failed: the backup as it was."""
    transition(session, backup_id, (states.BACKUP_DELETING,), status=previous)


def _to_deleting(session, backup_id, expected):
    """``deleting`` from ``expected`` (``None``: any status but ``deleting`` itself)."""
    return db_api.transition_row(session, m.Backup, backup_id, expected,
                                 where=(m.Backup.status != states.BACKUP_DELETING,),
                                 status=states.BACKUP_DELETING)


def begin_restore(session, conf, caller, user_id, backup, volume_id, name):
    """Start restoring ``backup`` (status ``restoring``) onto a volume; returns the volume.

    :param volume_id: an ``available`` volume at least as large as the
        backup, which goes ``restoring-backup``; ``None`` for a new volume
        of the backup's size (``creating``, quotas taken, scheduled by the
        conductor), named ``name`` or ``restore_backup_<id>``.
    :raises InvalidBackup: (400) the backup is not ``available``.
    :raises InvalidVolume: (400) the volume is not ``available`` or too small.
    """
    if backup.status != states.BACKUP_AVAILABLE:
        raise InvalidBackup(reason='Backup status must be available')
    if volume_id is None:
        volume, _spec = volumes.create(session, conf, caller, backup.project_id, user_id,
                                       {'size': backup.size,
                                        'name': name or f'restore_backup_{backup.id}'})
    else:
        volume = volumes.get(session, caller, volume_id)
        if volume.size < backup.size:
            raise vol_exc.InvalidVolume(reason=f'volume size {volume.size} is too small to '
                                               f'restore backup of size {backup.size}.')
        if not db_api.transition(session, volume.id, (states.AVAILABLE,),
                                 status=states.RESTORING_BACKUP,
                                 previous_status=states.AVAILABLE):
            raise vol_exc.InvalidVolume(reason=f'Volume to be restored to must be available, '
                                               f'but the current status is '
                                               f'"{volume.status}".')
    if not transition(session, backup.id, (states.BACKUP_AVAILABLE,),
                      status=states.BACKUP_RESTORING, restore_volume_id=volume.id):
        raise InvalidBackup(reason='Backup status must be available')
    return session.get(m.Volume, volume.id)


def undo_restore(session, backup_id, volume_id, new_volume):
    """A restore whose cast failed: the backup available again, the volume as it was (or
    the new volume in error)."""
    transition(session, backup_id, (states.BACKUP_RESTORING,), status=states.BACKUP_AVAILABLE)
    if new_volume:
        db_api.transition(session, volume_id, (states.CREATING,), status=states.ERROR)
    else:
        release_volume(session, volume_id, states.RESTORING_BACKUP)


def reset_status(session, backup, status):
    """The admin's os-reset_status (``available`` or ``error``), without a transition check."""
    if status not in RESETTABLE:
        raise vol_exc.InvalidInput(reason=f'Backup status: {status} is invalid, valid '
                                          f'statuses are: {", ".join(RESETTABLE)}.')
    transition(session, backup.id, None, status=status)


def metadata(session, backup_ids):
    return db_api.key_values(session, m.BackupMetadata, m.BackupMetadata.backup_id,
                             list(backup_ids))


def notification(backup):
    return {'backup_id': backup.id, 'tenant_id': backup.project_id,
            'user_id': backup.user_id, 'volume_id': backup.volume_id, 'size': backup.size,
            'status': backup.status, 'display_name': backup.name}
