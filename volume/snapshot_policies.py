"""Snapshot policies as stored: who sees them, create and update.

The rules (schedule syntax, next runs, pruning) are
``volume.snapshot_schedules``; this module applies them to rows.  A
policy belongs to its volume's project.  ``next_run_at`` is planned from
``now`` on create and whenever the schedule, time zone or ``enabled``
change, so a policy never catches up on runs from before.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import snapshot_schedules as schedules
from volume.db import models as m

UTC = datetime.timezone.utc
# Changing one of these plans the next run afresh.
_REPLANNING = ('schedule', 'timezone', 'enabled')


class SnapshotPolicyNotFound(exceptions.NotFound):
    msg_fmt = 'Snapshot policy %(policy_id)s could not be found.'


class SnapshotPolicyExists(exceptions.Conflict):
    msg_fmt = 'Volume %(volume_id)s already has a %(interval_type)s snapshot policy.'


def visible(caller):
    if caller.is_admin:
        return sa.true()
    return m.SnapshotPolicy.project_id == caller.project_id


def get(session, caller, policy_id):
    """:raises SnapshotPolicyNotFound: no such policy, or one of another project."""
    policy = session.execute(sa.select(m.SnapshotPolicy).where(
        m.SnapshotPolicy.id == policy_id, visible(caller))).scalar_one_or_none()
    if policy is None:
        raise SnapshotPolicyNotFound(policy_id=policy_id)
    return policy


def aware(value):
    """A naive UTC time read from the database, as an aware one (``None`` stays)."""
    return value.replace(tzinfo=UTC) if value is not None else None


def naive(value):
    return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None


def _parsed(fields):
    try:
        return schedules.parse(fields)
    except schedules.InvalidPolicy as exc:
        raise vol_exc.InvalidInput(reason=str(exc)) from None


def _first_run(parsed, now):
    return naive(schedules.plan(parsed, None, now).next_run_at)


def _flush(session, volume_id, interval_type):
    try:
        with session.begin_nested():
            session.flush()
    except sa_exc.IntegrityError as exc:
        if is_duplicate_entry(exc):
            raise SnapshotPolicyExists(volume_id=volume_id,
                                       interval_type=interval_type) from None
        raise


def create(session, volume, fields, now):
    """Store a policy of ``volume`` from a create body's ``fields``.

    :param now: an aware datetime (the API's clock).
    :raises InvalidInput: (400) values ``snapshot_schedules.parse`` refuses.
    :raises SnapshotPolicyExists: (409) the volume has a policy of that interval type.
    """
    parsed = _parsed(fields)
    policy = m.SnapshotPolicy(project_id=volume.project_id, volume_id=volume.id,
                              next_run_at=_first_run(parsed, now), **parsed.values())
    session.add(policy)
    _flush(session, volume.id, parsed.interval_type)
    return policy


def update(session, policy, changes, now):
    """Apply ``changes`` (``schedule``, ``timezone``, ``max_snaps``, ``enabled``)."""
    parsed = _parsed({**_parsed(policy).values(), **changes})
    replan = any(getattr(policy, k) != v for k, v in parsed.values().items()
                 if k in _REPLANNING)
    for key, value in parsed.values().items():
        setattr(policy, key, value)
    if replan:
        policy.next_run_at = _first_run(parsed, now)
    policy.updated_at = utcnow()
    session.flush()
    return policy
