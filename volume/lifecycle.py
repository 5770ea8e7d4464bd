"""Changes of an existing volume's state: delete, extend, and the admin's resets.

Each starts with a conditional UPDATE on the statuses it expects
(``volume.db.api.transition``), so that two racing requests cannot both
win; the API casts the long work to the conductor after committing, and
puts the volume back (``undo_*``) when the cast cannot be sent.
"""
import dataclasses

import sqlalchemy as sa

from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import quotas
from volume import states
from volume.db import api as db_api
from volume.db import models as m

# Migration states in which a volume may be deleted (Cinder's AVAILABLE_MIGRATION_STATUS).
_DELETABLE_MIGRATION = ('deleting', 'error', 'success')


@dataclasses.dataclass
class DeleteStarted:
    """What ``begin_delete`` did: ``local`` when it deleted a volume that never had a
    backend (nothing to cast); else the statuses to restore should the cast fail."""
    local: bool
    volume_status: str | None = None
    snapshot_statuses: dict = dataclasses.field(default_factory=dict)


def _delete_refused(force):
    if force:
        reason = 'Volume must not be migrating, attached, belong to a group, have snapshots'
    else:
        reason = ('Volume status must be ' + ' or '.join(states.DELETABLE) +
                  ' and must not be migrating, attached, belong to a group, have snapshots')
    return vol_exc.InvalidVolume(reason=reason + ', awaiting a transfer, or be '
                                 'disassociated from snapshots after volume transfer.')


def _delete_here(session, volume):
    """Mark deleted a volume no backend holds, unless a conductor just gave it one."""
    now = utcnow()
    return db_api.transition(session, volume.id, None, where=(m.Volume.host.is_(None),),
                             status=states.DELETED, deleted_at=now, terminated_at=now)


def begin_delete(session, volume, *, cascade=False, force=False):
    """Start deleting ``volume`` (status ``deleting``), or delete it at once when it has
    no backend yet (as Cinder does).

    Without ``force`` the volume must be in a ``DELETABLE`` status; never
    attached or migrating; without ``cascade`` it must have no snapshots,
    with it they must be available or in error (unless ``force``), and go
    to ``deleting`` with it.

    :raises InvalidVolume: (400) any of these is not so.
    """
    snapshots = db_api.live_snapshots(session, volume.id)
    if volume.host is None and volume.attach_status != states.ATTACHED and not snapshots \
            and _delete_here(session, volume):
        return DeleteStarted(local=True)
    if snapshots and not cascade:
        raise _delete_refused(force)
    if cascade and not force and any(s.status not in states.SNAPSHOT_CASCADE_DELETABLE
                                     for s in snapshots):
        raise _delete_refused(force)
    started = DeleteStarted(local=False, volume_status=volume.status,
                            snapshot_statuses={s.id: s.status for s in snapshots})
    done = db_api.transition(
        session, volume.id, None if force else states.DELETABLE,
        where=(m.Volume.attach_status != states.ATTACHED,
               sa.or_(m.Volume.migration_status.is_(None),
                      m.Volume.migration_status.in_(_DELETABLE_MIGRATION))),
        status=states.DELETING, previous_status=volume.status, terminated_at=utcnow())
    if not done:
        raise _delete_refused(force)
    # Read again once the row is ours: a snapshot create touches the volume's row
    # (``snapshots.create``), so one that committed before our UPDATE is seen now; the
    # caller rolls the UPDATE back.
    if {s.id for s in db_api.live_snapshots(session, volume.id)} != set(
            started.snapshot_statuses):
        raise _delete_refused(force)
    for snapshot in snapshots:
        snapshot.status = states.SNAPSHOT_DELETING
    session.flush()
    return started


def undo_delete(session, volume_id, started):
    """Put back what ``begin_delete`` changed (its cast could not be sent)."""
    db_api.transition(session, volume_id, (states.DELETING,), status=started.volume_status,
                      terminated_at=None)
    for snapshot_id, status in started.snapshot_statuses.items():
        session.execute(sa.update(m.Snapshot).where(
            m.Snapshot.id == snapshot_id, m.Snapshot.status == states.SNAPSHOT_DELETING)
            .values(status=status).execution_options(synchronize_session=False))


def begin_extend(session, conf, volume, new_size, *, attached_allowed):
    """Start growing ``volume`` to ``new_size`` GiB (status ``extending``), taking the
    quota for the difference.

    :param attached_allowed: ``in-use`` volumes may be extended too (3.42).
    :raises InvalidInput: ``new_size`` is not larger.
    :raises InvalidVolume: the volume is not in a status that allows it.
    :raises QuotaError: over ``per_volume_gigabytes`` or ``gigabytes`` (413).
    """
    if new_size <= volume.size:
        raise vol_exc.InvalidInput(reason=f'New size for extend must be greater than current '
                                          f'size. (current: {volume.size}, extended: '
                                          f'{new_size}).')
    expected = (states.AVAILABLE, states.IN_USE) if attached_allowed else (states.AVAILABLE,)
    refused = vol_exc.InvalidVolume(reason=f"Volume {volume.id} status must be "
                                           f"'{' or '.join(expected)}' to extend, currently "
                                           f'{volume.status}.')
    if volume.status not in expected:
        raise refused
    engine = quotas.Quotas(conf)
    engine.check_volume_size(session, volume.project_id, new_size)
    type_name = db_api.type_names(session, [volume.volume_type_id]).get(volume.volume_type_id)
    growth = new_size - volume.size
    deltas = {'gigabytes': growth}
    if type_name is not None:
        deltas[f'gigabytes_{type_name}'] = growth
    engine.enforce(session, volume.project_id, deltas)
    if not db_api.transition(session, volume.id, expected, status=states.EXTENDING,
                             previous_status=volume.status, requested_size=new_size):
        raise refused


def undo_extend(session, volume_id):
    """Put back a volume whose extend could not be cast."""
    session.execute(sa.update(m.Volume).where(
        m.Volume.id == volume_id, m.Volume.status == states.EXTENDING)
        .values(status=m.Volume.previous_status, previous_status=None, requested_size=None,
                updated_at=utcnow()).execution_options(synchronize_session=False))


def set_bootable(volume, bootable):
    if volume.status == states.MAINTENANCE:
        raise vol_exc.InvalidVolume(reason='The volume cannot be updated during maintenance.')
    volume.bootable = bootable
    volume.updated_at = utcnow()


def set_readonly(session, volume, readonly):
    """Record the ``readonly`` flag later attachments honour (``attach_mode`` ``ro``)."""
    if volume.status != states.AVAILABLE:
        raise vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be available to '
                                           'update readonly flag, but current status is: '
                                           f'{volume.status}.')
    row = session.get(m.VolumeAdminMetadata, (volume.id, 'readonly'))
    if row is None:
        session.add(m.VolumeAdminMetadata(volume_id=volume.id, key='readonly',
                                          value=str(readonly)))
    else:
        row.value = str(readonly)
    volume.updated_at = utcnow()


def reset_status(session, volume, *, status=None, attach_status=None, migration_status=None):
    """The admin's os-reset_status: set what is given, without any transition check.

    :raises InvalidInput: a status the conductor would never finish
        (``deleting``, ``error_deleting``, ``detaching``), or ``in-use`` for a
        volume with no attachment.
    """
    if status in states.NOT_RESETTABLE:
        raise vol_exc.InvalidInput(reason=f'Cannot reset-state to {status}')
    if status == states.IN_USE and not db_api.live_attachments(session, volume.id):
        raise vol_exc.InvalidInput(reason='Cannot reset-state to in-use because volume does '
                                          'not have any attachments.')
    if status is not None:
        volume.status = status
    if attach_status is not None:
        volume.attach_status = attach_status
    if migration_status is not None:
        volume.migration_status = None if migration_status == 'none' else migration_status
    volume.updated_at = utcnow()
    session.flush()
    if attach_status == states.DETACHED:
        db_api.detach_all(session, volume.id)
