"""The conductor's periodic task that runs snapshot policies.

Every ``[conductor] snapshot_policy_interval`` seconds, ``PolicyRunner.run``:

1. takes the snapshots that are due: for each enabled policy whose
   ``next_run_at`` has come (or that has none yet), it stores the next run
   with a conditional UPDATE on the one it read, so that of several
   conductors only one takes the snapshot, then creates the snapshot as the
   API does (``volume.snapshots.create``: volume status, quotas), marked
   as the policy's (``policy_id`` and the ``POLICY_METADATA_KEY``
   metadata), and has it taken (``Snapshotter.create_snapshot``).  A
   volume that cannot be snapshotted now (busy, over quota) is skipped
   until the next run, and logged;
2. prunes: the policy's ``available`` and ``error`` snapshots beyond its
   ``max_snaps`` go, ``error`` first, then the oldest
   (``snapshot_schedules.to_prune``), deleted as the API deletes them.

``clock`` is injectable (an aware UTC ``datetime``), so that a test runs
a schedule on a shortened clock.
"""
import datetime
import logging

import sqlalchemy as sa

from common import exceptions
from common.context import RequestContext
from volume import exceptions as vol_exc
from volume import snapshot_policies as policies
from volume import snapshot_schedules as schedules
from volume import snapshots
from volume.db import models as m

LOG = logging.getLogger(__name__)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class PolicyRunner:

    def __init__(self, conf, db, snapshotter, clock=utc_now):
        """:param snapshotter: a ``conductor.snapshots.Snapshotter``, which casts to agents."""
        self._conf = conf
        self._db = db
        self._snapshotter = snapshotter
        self._clock = clock

    def run(self):
        """One pass: take the due snapshots, then prune.  Returns ``(taken, pruned)`` ids."""
        ctxt = RequestContext.admin()
        now = self._clock()
        taken = []
        for policy_id in self._due(now):
            # Each snapshot is committed ``creating`` by its own transaction: it is cast at
            # once, so that a later policy that fails cannot leave it ``creating`` for ever.
            try:
                snapshot_id = self._run_one(policy_id, now)
            except Exception:
                LOG.exception('Snapshot policy %s could not run; the others go on', policy_id)
                continue
            if snapshot_id:
                taken.append(snapshot_id)
                self._snapshotter.create_snapshot(ctxt, snapshot_id)
        pruned = self._start_pruning()
        for snapshot_id in pruned:
            self._snapshotter.delete_snapshot(ctxt, snapshot_id)
        return taken, pruned

    def _due(self, now):
        P = m.SnapshotPolicy
        with self._db.reader() as session:
            return list(session.execute(sa.select(P.id).where(
                P.enabled.is_(True),
                sa.or_(P.next_run_at.is_(None), P.next_run_at <= policies.naive(now)))
                .order_by(P.next_run_at, P.id)).scalars())

    def _run_one(self, policy_id, now):
        """Plan the policy's next run; the id of the snapshot it takes now, if any."""
        with self._db.writer() as session:
            policy = session.get(m.SnapshotPolicy, policy_id)
            if policy is None:
                return None
            tick = schedules.plan(schedules.parse(policy), policies.aware(policy.next_run_at),
                                  now)
            P = m.SnapshotPolicy
            read = P.next_run_at.is_(None) if policy.next_run_at is None \
                else P.next_run_at == policy.next_run_at
            values = {'next_run_at': policies.naive(tick.next_run_at)}
            if tick.snapshot:
                values['last_run_at'] = policies.naive(now)
            claimed = session.execute(sa.update(P).where(P.id == policy_id, read)
                                      .values(**values)
                                      .execution_options(synchronize_session=False)).rowcount
            if not claimed or not tick.snapshot:
                return None
            return self._take(session, policy, now)

    def _take(self, session, policy, now):
        volume = session.get(m.Volume, policy.volume_id)
        if volume is None or volume.deleted_at is not None:
            # As CloudStack, a volume's policies go with it; its snapshots went first.
            LOG.info('Volume %s is deleted: removing its snapshot policy %s',
                     policy.volume_id, policy.id)
            session.delete(policy)
            return None
        name = f'{volume.name or volume.id}-{policy.interval_type}-{now:%Y%m%d%H%M}'
        try:
            with session.begin_nested():
                snapshot = snapshots.create(
                    session, self._conf, volume, volume.user_id,
                    {'name': name, 'description': f'Taken by snapshot policy {policy.id}'},
                    force=True, policy_id=policy.id)
        except exceptions.StratusError as exc:
            LOG.warning('Snapshot policy %s could not snapshot volume %s: %s', policy.id,
                        volume.id, exc)
            return None
        LOG.info('Snapshot policy %s took snapshot %s of volume %s', policy.id, snapshot.id,
                 volume.id)
        return snapshot.id

    def _start_pruning(self):
        """Put the snapshots beyond each policy's ``max_snaps`` in ``deleting``; their ids."""
        S, P = m.Snapshot, m.SnapshotPolicy
        pruned = []
        with self._db.reader() as session:
            over = session.execute(
                sa.select(P.id, P.max_snaps).join(S, S.policy_id == P.id)
                .where(S.deleted_at.is_(None), S.status.in_(schedules.PRUNABLE_STATUSES))
                .group_by(P.id, P.max_snaps).having(sa.func.count() > P.max_snaps)).all()
        if not over:
            return pruned
        with self._db.writer() as session:
            for policy_id, max_snaps in over:
                rows = session.execute(sa.select(S).where(
                    S.policy_id == policy_id, S.deleted_at.is_(None))).scalars().all()
                by_id = {row.id: row for row in rows}
                for snapshot_id in schedules.to_prune(rows, max_snaps):
                    # As the API deletes it (never while a volume is made from it); a
                    # refusal undoes only this snapshot's change.
                    try:
                        with session.begin_nested():
                            snapshots.begin_delete(session, by_id[snapshot_id])
                    except vol_exc.InvalidSnapshot as exc:
                        LOG.info('Snapshot %s is not pruned now: %s', snapshot_id, exc)
                        continue
                    pruned.append(snapshot_id)
        return pruned
