"""The conductor's part of snapshots: cast them to their volume's backend, record how
each ended.

A snapshot lives on the backend of its volume (the file driver keeps it
beside the volume's file), so both casts go to ``backend_of(volume.host)``.
Every change is a conditional UPDATE on the status the API left
(``snapshots.transition``): a late or repeated report, or one from
another backend, changes nothing.  A cast that cannot be sent ends the
operation in its error status at once: nobody would ever report it.
"""
import logging

from common.db.types import utcnow
from volume import rpcapi
from volume import snapshots
from volume import states
from volume import volumes
from volume.conductor.orchestration import driver_snapshot, driver_volume
from volume.db import models as m

LOG = logging.getLogger(__name__)


class Snapshotter:

    def __init__(self, db, agents):
        """:param agents: an ``rpcapi.AgentAPI``."""
        self._db = db
        self._agents = agents

    def _load(self, snapshot_id, status):
        """``(backend, driver snapshot, driver volume)`` of a live snapshot in ``status``,
        or None."""
        with self._db.reader() as session:
            snapshot = session.get(m.Snapshot, snapshot_id)
            if snapshot is None or snapshot.deleted_at is not None \
                    or snapshot.status != status:
                LOG.info('Snapshot %s is not %s; nothing to do', snapshot_id, status)
                return None
            volume = session.get(m.Volume, snapshot.volume_id)
            if volume is None:
                return None, driver_snapshot(snapshot), None
            return (volumes.backend_of(volume.host), driver_snapshot(snapshot),
                    driver_volume(volume))

    def create_snapshot(self, ctxt, snapshot_id):
        """See ``ConductorAPI.create_snapshot``."""
        loaded = self._load(snapshot_id, states.SNAPSHOT_CREATING)
        if loaded is None:
            return
        backend, snapshot, volume = loaded
        if backend is None:
            self._end(snapshot_id, states.SNAPSHOT_CREATING, status=states.SNAPSHOT_ERROR)
            return
        try:
            self._agents.create_snapshot(ctxt, backend, snapshot, volume)
        except Exception:
            LOG.exception('Could not ask backend %s to take snapshot %s', backend, snapshot_id)
            self._end(snapshot_id, states.SNAPSHOT_CREATING, status=states.SNAPSHOT_ERROR)

    def delete_snapshot(self, ctxt, snapshot_id):
        """See ``ConductorAPI.delete_snapshot``."""
        loaded = self._load(snapshot_id, states.SNAPSHOT_DELETING)
        if loaded is None:
            return
        backend, snapshot, _volume = loaded
        if backend is None:
            # Its volume never had a backend: there is nothing to remove.
            self._finish_delete(snapshot_id, None)
            return
        try:
            self._agents.delete_snapshot(ctxt, backend, snapshot)
        except Exception:
            LOG.exception('Could not ask backend %s to delete snapshot %s', backend,
                          snapshot_id)
            self._finish_delete(snapshot_id, 'the backend could not be reached')

    def snapshot_done(self, snapshot_id, action, host, values, error):
        """Record how ``action`` ended; see ``ConductorAPI.snapshot_done``.

        :returns: whether the report changed the snapshot.
        """
        with self._db.reader() as session:
            snapshot = session.get(m.Snapshot, snapshot_id)
            volume = session.get(m.Volume, snapshot.volume_id) if snapshot else None
            holder = volumes.backend_of(volume.host) if volume is not None else None
        if holder != host:
            LOG.warning('Ignoring the report of %s on snapshot %s (%s): its volume is on %s',
                        host, snapshot_id, action, holder)
            return False
        if error is not None:
            LOG.warning('Backend %s failed to %s snapshot %s: %s', host, action, snapshot_id,
                        error)
        if action == rpcapi.CREATE:
            if error is None:
                return self._end(snapshot_id, states.SNAPSHOT_CREATING,
                                 status=states.SNAPSHOT_AVAILABLE, progress='100%',
                                 provider_location=values['provider_location'])
            return self._end(snapshot_id, states.SNAPSHOT_CREATING,
                             status=states.SNAPSHOT_ERROR)
        if action == rpcapi.DELETE:
            return self._finish_delete(snapshot_id, error)
        raise ValueError(f'Unknown snapshot action {action!r}')

    def _finish_delete(self, snapshot_id, error):
        if error is None:
            return self._end(snapshot_id, states.SNAPSHOT_DELETING,
                             status=states.SNAPSHOT_DELETED, deleted_at=utcnow())
        return self._end(snapshot_id, states.SNAPSHOT_DELETING,
                         status=states.SNAPSHOT_ERROR_DELETING)

    def _end(self, snapshot_id, expected, **values):
        with self._db.writer() as session:
            done = snapshots.transition(session, snapshot_id, (expected,), **values)
        if not done:
            LOG.info('Snapshot %s was no longer %s; %s not recorded', snapshot_id, expected,
                     values)
        return done
