"""Snapshots: who sees them, what a create asks for, their states and metadata.

A create is checked here (the volume's status, the quotas under the
project's locks) and stored with status ``creating`` in the caller's
transaction; the API (or the conductor running a snapshot policy) casts
``create_snapshot`` once it has committed.  Every status change is a
conditional UPDATE on the statuses expected (``transition``), so that two
racing requests, or a late report, cannot both win.

Transitions (the conductor finishes them):

* create: (new row) ``creating`` → ``available`` | ``error``
* delete: ``available``/``error`` (any but ``deleting`` with force) →
  ``deleting`` → ``deleted`` | ``error_deleting``
"""
import sqlalchemy as sa

from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import quotas
from volume import states
from volume.db import api as db_api
from volume.db import models as m

DELETABLE = (states.SNAPSHOT_AVAILABLE, states.SNAPSHOT_ERROR)
# What os-reset_status may set: not ``deleting``, which nothing would ever finish.
RESETTABLE = (states.SNAPSHOT_CREATING, states.SNAPSHOT_AVAILABLE, states.SNAPSHOT_ERROR,
              states.SNAPSHOT_ERROR_DELETING)
# A policy's snapshots carry this metadata key (its value: the policy's id).
POLICY_METADATA_KEY = 'stratus:snapshot_policy'


def visible(caller):
    """The SQL condition for the (not deleted) snapshots ``caller`` may see."""
    return db_api.visible(m.Snapshot, caller)


def transition(session, snapshot_id, expected, **values):
    """Change a live snapshot only if its status is one of ``expected`` (``None``: any).

    :returns: whether this call made the change.
    """
    return db_api.transition_row(session, m.Snapshot, snapshot_id, expected, **values)


def create(session, conf, volume, user_id, attrs, *, force=False, policy_id=None):
    """Store a new snapshot (status ``creating``) of ``volume``, quotas taken.

    The volume must be ``available``, or ``in-use`` with ``force``; it is
    touched with a conditional UPDATE on that status, so that a delete
    racing this create either sees the snapshot or makes this create fail.

    :param attrs: ``name``, ``description``, ``metadata`` (each optional).
    :param policy_id: the snapshot policy taking it, recorded on the row
        and in its metadata (``POLICY_METADATA_KEY``).
    :raises InvalidVolume: (400) the volume's status does not allow it.
    :raises QuotaError: (413) over ``snapshots`` or ``gigabytes``.
    """
    allowed = (states.AVAILABLE, states.IN_USE) if force else (states.AVAILABLE,)
    refused = vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be available, '
                                           f'but current status is: {volume.status}.')
    if volume.status not in allowed:
        raise refused
    type_name = db_api.type_names(session, [volume.volume_type_id]).get(volume.volume_type_id)
    quotas.Quotas(conf).enforce(session, volume.project_id,
                                quotas.snapshot_deltas(volume.size, type_name))
    if not db_api.transition(session, volume.id, allowed):
        raise refused
    snapshot = m.Snapshot(project_id=volume.project_id, user_id=user_id, volume_id=volume.id,
                          volume_size=volume.size, volume_type_id=volume.volume_type_id,
                          name=attrs.get('name'), description=attrs.get('description'),
                          status=states.SNAPSHOT_CREATING, policy_id=policy_id)
    session.add(snapshot)
    session.flush()
    metadata = dict(attrs.get('metadata') or {})
    if policy_id is not None:
        metadata[POLICY_METADATA_KEY] = policy_id
    for key, value in metadata.items():
        session.add(m.SnapshotMetadata(snapshot_id=snapshot.id, key=key, value=value))
    session.flush()
    return snapshot


def begin_delete(session, snapshot, *, force=False):
    """Start deleting ``snapshot`` (status ``deleting``); returns the status it had.

    :raises InvalidSnapshot: (400) not ``available`` or ``error`` (without
        ``force``), already ``deleting``, or the source of a volume being made.
    """
    expected = RESETTABLE if force else DELETABLE
    reason = ('Snapshot is already being deleted.' if force else
              'Volume Snapshot status must be available or error and must not be part of '
              'a group.')
    previous = snapshot.status
    if not transition(session, snapshot.id, expected, status=states.SNAPSHOT_DELETING):
        raise vol_exc.InvalidSnapshot(reason=reason)
    # Checked once the row is ours: a create from it that touched it (``volumes.create``)
    # committed before our UPDATE could go on; the caller rolls the UPDATE back.
    if is_being_copied(session, snapshot.id):
        raise vol_exc.InvalidSnapshot(reason='A volume is being created from this snapshot.')
    return previous


def is_being_copied(session, snapshot_id):
    """Whether a volume is being created from the snapshot (it must stay)."""
    return session.execute(sa.select(sa.func.count()).select_from(m.Volume).where(
        m.Volume.snapshot_id == snapshot_id, m.Volume.deleted_at.is_(None),
        m.Volume.status == states.CREATING)).scalar_one() > 0


def undo_delete(session, snapshot_id, previous):
    """Put back a snapshot whose delete could not be cast."""
    transition(session, snapshot_id, (states.SNAPSHOT_DELETING,), status=previous)


def reset_status(session, snapshot, status):
    """The admin's os-reset_status, without any transition check.

    :raises InvalidInput: a status the conductor would never finish (``deleting``)
        or that no snapshot has.
    """
    if status not in RESETTABLE:
        raise vol_exc.InvalidInput(reason=f'Snapshot status: {status} is invalid, valid '
                                          f'statuses are: {", ".join(RESETTABLE)}.')
    transition(session, snapshot.id, None, status=status)


def user_metadata(session, snapshot_ids):
    """``{snapshot id: {key: value}}``."""
    return db_api.key_values(session, m.SnapshotMetadata, m.SnapshotMetadata.snapshot_id,
                             list(snapshot_ids))


def replace_metadata(session, snapshot, wanted):
    """Make the snapshot's metadata exactly ``wanted``; returns it sorted."""
    db_api.replace_key_values(session, m.SnapshotMetadata, m.SnapshotMetadata.snapshot_id,
                              snapshot.id, wanted)
    snapshot.updated_at = utcnow()
    return dict(sorted(wanted.items()))


def notification(snapshot):
    """The payload of ``snapshot.*`` notifications (Cinder's usage fields)."""
    return {'snapshot_id': snapshot.id, 'tenant_id': snapshot.project_id,
            'user_id': snapshot.user_id, 'volume_id': snapshot.volume_id,
            'volume_size': snapshot.volume_size, 'display_name': snapshot.name,
            'status': snapshot.status,
            'created_at': snapshot.created_at.isoformat() if snapshot.created_at else None}
