"""The conductor's part of create, delete and extend: start each on its backend,
record how it ended.

Every change of a volume is a conditional UPDATE on the status the API
left it in (``volume.db.api.transition``), so that a late or repeated
report, or one from the wrong backend, changes nothing.  The agents'
casts carry plain driver dicts; the agent reports back with
``volume_done``.  A cast that cannot be sent ends the operation in its
error status at once: nobody would ever report it.
"""
import logging

import sqlalchemy as sa

from common.db.types import utcnow
from volume import rpcapi
from volume import states
from volume import volumes
from volume.conductor import images as image_paths
from volume.conductor import scheduling
from volume.conductor import server_events
from volume.db import api as db_api
from volume.db import models as m

LOG = logging.getLogger(__name__)


def driver_volume(volume):
    """The driver's ``Volume`` dict of a row."""
    payload = {'id': volume.id, 'size': volume.size,
               'provider_location': volume.provider_location}
    if volume.format is not None:
        payload['format'] = volume.format
    return payload


def driver_snapshot(snapshot):
    return {'id': snapshot.id, 'volume_id': snapshot.volume_id,
            'volume_size': snapshot.volume_size,
            'provider_location': snapshot.provider_location}


class Orchestrator:

    def __init__(self, conf, db, agents):
        """:param agents: an ``rpcapi.AgentAPI``."""
        self._conf = conf
        self._db = db
        self._agents = agents

    # --- create ---------------------------------------------------------------

    def create_volume(self, ctxt, volume_id, spec):
        """Schedule the volume and cast its creation; see ``ConductorAPI.create_volume``."""
        with self._db.writer() as session:
            started = self._schedule(session, volume_id, spec)
        if started is None:
            return
        backend, payload = started
        try:
            self._agents.create_volume(ctxt, backend, *payload)
        except Exception:
            LOG.exception('Could not ask backend %s to create volume %s', backend, volume_id)
            self._end(volume_id, (states.CREATING,), status=states.ERROR)

    def _schedule(self, session, volume_id, spec):
        """Record the chosen backend; ``(backend, create_volume arguments)`` or ``None``."""
        volume = session.get(m.Volume, volume_id)
        if volume is None or volume.deleted_at is not None or volume.host is not None \
                or volume.status != states.CREATING:
            LOG.info('Volume %s is no longer waiting for a backend; not creating it', volume_id)
            return None
        try:
            choice = scheduling.choose(session, self._conf, spec)
        except scheduling.NoValidBackend as exc:
            return self._fail_create(session, volume_id, str(exc))
        snapshot = source = None
        if volume.snapshot_id:
            row = session.get(m.Snapshot, volume.snapshot_id)
            if row is None or row.deleted_at is not None:
                return self._fail_create(session, volume_id, f'its snapshot '
                                                             f'{volume.snapshot_id} is gone')
            snapshot = driver_snapshot(row)
        if volume.source_volid:
            row = session.get(m.Volume, volume.source_volid)
            if row is None or row.deleted_at is not None:
                return self._fail_create(session, volume_id, f'its source volume '
                                                             f'{volume.source_volid} is gone')
            source = driver_volume(row)
        image = None
        if volume.image_id:
            image = image_paths.source_image(session, volume)
            if image is None:
                return self._fail_create(session, volume_id, f'the record of its image '
                                                             f'{volume.image_id} is missing')
        # The API deletes at once a volume without a host: only set one if it has none.
        if not db_api.transition(session, volume_id, (states.CREATING,),
                                 where=(m.Volume.host.is_(None),), host=choice.volume_host,
                                 service_uuid=choice.service_uuid):
            LOG.info('Volume %s was deleted while it was being scheduled', volume_id)
            return None
        LOG.info('Volume %s scheduled to %s', volume_id, choice.volume_host)
        return choice.backend, (driver_volume(session.get(m.Volume, volume_id)), snapshot, source,
                                image)

    def _fail_create(self, session, volume_id, reason):
        LOG.warning('Volume %s cannot be created: %s', volume_id, reason)
        db_api.transition(session, volume_id, (states.CREATING,),
                          where=(m.Volume.host.is_(None),), status=states.ERROR)
        return None

    # --- delete ---------------------------------------------------------------

    def delete_volume(self, ctxt, volume_id, cascade):
        """Cast the removal of the volume (and its deleting snapshots) to its backend."""
        with self._db.reader() as session:
            volume = session.get(m.Volume, volume_id)
            if volume is None or volume.deleted_at is not None \
                    or volume.status != states.DELETING:
                LOG.info('Volume %s is not being deleted; nothing to do', volume_id)
                return
            snapshots = [driver_snapshot(s) for s in db_api.live_snapshots(session, volume_id)
                         if s.status == states.SNAPSHOT_DELETING] if cascade else []
            backend, payload = volumes.backend_of(volume.host), driver_volume(volume)
        if backend is None:
            self._finish_delete(volume_id, None)
            return
        try:
            self._agents.delete_volume(ctxt, backend, payload, snapshots)
        except Exception:
            LOG.exception('Could not ask backend %s to delete volume %s', backend, volume_id)
            self._finish_delete(volume_id, 'the backend could not be reached')

    def _finish_delete(self, volume_id, error):
        now = utcnow()
        with self._db.writer() as session:
            if error is None:
                done = db_api.transition(session, volume_id, (states.DELETING,),
                                         status=states.DELETED, deleted_at=now)
                snapshot_values = {'status': states.SNAPSHOT_DELETED, 'deleted_at': now}
            else:
                done = db_api.transition(session, volume_id, (states.DELETING,),
                                         status=states.ERROR_DELETING)
                snapshot_values = {'status': states.SNAPSHOT_ERROR_DELETING}
            if done:
                session.execute(sa.update(m.Snapshot).where(
                    m.Snapshot.volume_id == volume_id, m.Snapshot.deleted_at.is_(None),
                    m.Snapshot.status == states.SNAPSHOT_DELETING)
                    .values(updated_at=now, **snapshot_values)
                    .execution_options(synchronize_session=False))
        return done

    # --- extend ---------------------------------------------------------------

    def extend_volume(self, ctxt, volume_id, new_size):
        with self._db.reader() as session:
            volume = session.get(m.Volume, volume_id)
            if volume is None or volume.deleted_at is not None \
                    or volume.status != states.EXTENDING or volume.requested_size != new_size:
                LOG.info('Volume %s is not being extended to %s GiB; nothing to do',
                         volume_id, new_size)
                return
            backend, payload = volumes.backend_of(volume.host), driver_volume(volume)
        if backend is None:
            LOG.warning('Volume %s has no backend to extend it', volume_id)
            self._finish_extend(volume_id, None, 'the volume has no backend')
            return
        try:
            self._agents.extend_volume(ctxt, backend, payload, new_size)
        except Exception:
            LOG.exception('Could not ask backend %s to extend volume %s', backend, volume_id)
            self._finish_extend(volume_id, None, 'the backend could not be reached')

    def _finish_extend(self, volume_id, values, error):
        if error is None:
            # An in-use volume grew under its servers: compute resizes their guests' disks.
            with self._db.reader() as session:
                volume = session.get(m.Volume, volume_id)
                servers = (server_events.attached_servers(session, volume_id)
                           if volume is not None and volume.previous_status == states.IN_USE
                           else [])
            done = self._end(volume_id, (states.EXTENDING,), status=m.Volume.previous_status,
                             previous_status=None, size=int(values['size']),
                             requested_size=None)
            if done and servers:
                server_events.volume_extended(self._conf, volume_id, servers)
            return done
        return self._end(volume_id, (states.EXTENDING,), status=states.ERROR_EXTENDING,
                         previous_status=None, requested_size=None)

    # --- the agents' reports --------------------------------------------------

    def volume_done(self, volume_id, action, host, values, error):
        """Record how ``action`` ended; see ``ConductorAPI.volume_done``.

        :returns: whether the report changed the volume.
        """
        with self._db.reader() as session:
            volume = session.get(m.Volume, volume_id)
            holder = volumes.backend_of(volume.host) if volume is not None else None
        if holder != host:
            LOG.warning('Ignoring the report of %s on volume %s (%s): the volume is on %s',
                        host, volume_id, action, holder)
            return False
        if error is not None:
            LOG.warning('Backend %s failed to %s volume %s: %s', host, action, volume_id, error)
        if action == rpcapi.CREATE:
            if error is None:
                return self._end(volume_id, (states.CREATING,), status=states.AVAILABLE,
                                 provider_location=values['provider_location'],
                                 format=values['format'], launched_at=utcnow())
            return self._end(volume_id, (states.CREATING,), status=states.ERROR)
        if action == rpcapi.DELETE:
            return self._finish_delete(volume_id, error)
        if action == rpcapi.EXTEND:
            return self._finish_extend(volume_id, values, error)
        if action == rpcapi.UPLOAD_IMAGE:
            return image_paths.end_upload(self._db, volume_id, error)
        raise ValueError(f'Unknown volume action {action!r}')

    def _end(self, volume_id, expected, **values):
        with self._db.writer() as session:
            done = db_api.transition(session, volume_id, expected, **values)
        if not done:
            LOG.info('Volume %s was no longer %s; %s not recorded', volume_id,
                     ' or '.join(expected), values)
        return done
