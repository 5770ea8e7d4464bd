"""The conductor's part of backups: cast them to an agent, record how each ended.

A backup is made by the agent of its volume's backend, which records
itself as the backup's ``host``; a delete goes to that agent, a restore
to the agent of the volume restored onto (see ``volume.backups`` on the
backup directory).  A restore onto a new volume schedules that volume
here first, as a create would, on the backend that made the backup.  Every
change is a conditional UPDATE on the statuses the API left, so a late or
repeated report, or one from another backend, changes nothing.  Agents
also serve the backups: ``record_backup_service`` shows each one as a
``cinder-backup`` service beside its ``cinder-volume`` one.
"""
import logging

import sqlalchemy as sa

from common.db import service_records
from common.db.types import utcnow
from volume import backups
from volume import rpcapi
from volume import service_names
from volume import states
from volume import volume_types
from volume import volumes
from volume.conductor import scheduling
from volume.conductor.orchestration import driver_volume
from volume.db import api as db_api
from volume.db import models as m

LOG = logging.getLogger(__name__)


def driver_backup(backup):
    return {'id': backup.id, 'volume_id': backup.volume_id, 'provider_location': None}


def record_backup_service(db, backend_state):
    """The agent that reported ``backend_state`` serves backups too: record its
    ``cinder-backup`` service alive now (``os-services`` lists it)."""
    with db.writer() as session:
        record = service_records.record_heartbeat(session, m.Service, backend_state['host'],
                                                  service_names.BACKUP_BINARY,
                                                  topic=rpcapi.AGENT_TOPIC)
        record.availability_zone = backend_state['availability_zone']


def _busy(session, column, volume_id, status):
    """Whether a live backup in ``status`` holds the volume (``column``: the backup's
    ``volume_id`` or ``restore_volume_id``): a late report must not release it."""
    return session.execute(sa.select(m.Backup.id).where(
        column == volume_id, m.Backup.status == status,
        m.Backup.deleted_at.is_(None)).limit(1)).first() is not None


class Backupper:

    def __init__(self, conf, db, agents):
        """:param agents: an ``rpcapi.AgentAPI``."""
        self._conf = conf
        self._db = db
        self._agents = agents

    # --- create ---------------------------------------------------------------

    def create_backup(self, ctxt, backup_id):
        """See ``ConductorAPI.create_backup``."""
        with self._db.writer() as session:
            backup = session.get(m.Backup, backup_id)
            if backup is None or backup.status != states.BACKUP_CREATING or backup.host:
                LOG.info('Backup %s is not waiting to be made; nothing to do', backup_id)
                return
            volume = session.get(m.Volume, backup.volume_id)
            backend = volumes.backend_of(volume.host) if volume is not None else None
            if backend is None or volume.status != states.BACKING_UP:
                self._fail_create(session, backup_id, backup.volume_id,
                                  'the volume is not on any backend')
                return
            parent = session.get(m.Backup, backup.parent_id) if backup.parent_id else None
            if not backups.transition(session, backup_id, (states.BACKUP_CREATING,),
                                      host=backend):
                return
            payload = (driver_backup(backup), driver_volume(volume),
                       driver_backup(parent) if parent else None)
        try:
            self._agents.create_backup(ctxt, backend, *payload)
        except Exception:
            LOG.exception('Could not ask backend %s to make backup %s', backend, backup_id)
            with self._db.writer() as session:
                self._fail_create(session, backup_id, payload[1]['id'],
                                  'the backend could not be reached')

    def _fail_create(self, session, backup_id, volume_id, reason):
        LOG.warning('Backup %s failed: %s', backup_id, reason)
        done = backups.transition(session, backup_id, (states.BACKUP_CREATING,),
                                  status=states.BACKUP_ERROR, fail_reason=reason)
        if done:
            backups.release_volume(session, volume_id, states.BACKING_UP)
        return done

    # --- restore --------------------------------------------------------------

    def restore_backup(self, ctxt, backup_id, volume_id):
        """See ``ConductorAPI.restore_backup``."""
        with self._db.writer() as session:
            backup = session.get(m.Backup, backup_id)
            volume = session.get(m.Volume, volume_id)
            if backup is None or backup.status != states.BACKUP_RESTORING \
                    or backup.restore_volume_id != volume_id:
                LOG.info('Backup %s is not being restored onto %s; nothing to do', backup_id,
                         volume_id)
                return
            if volume is None or volume.deleted_at is not None:
                LOG.info('Volume %s was deleted before backup %s was restored onto it',
                         volume_id, backup_id)
                backups.transition(session, backup_id, (states.BACKUP_RESTORING,),
                                   status=states.BACKUP_AVAILABLE)
                return
            create = volume.status == states.CREATING
            if not create and volume.status != states.RESTORING_BACKUP:
                # An administrator reset it meanwhile (it may be attached now): its data
                # must not be overwritten.
                LOG.warning('Volume %s is %s, no longer restoring-backup; backup %s is not '
                            'restored onto it', volume_id, volume.status, backup_id)
                backups.transition(session, backup_id, (states.BACKUP_RESTORING,),
                                   status=states.BACKUP_AVAILABLE)
                return
            if create and volume.host is not None:
                LOG.info('The volume %s of the restore of backup %s is already placed; '
                         'nothing to do', volume_id, backup_id)
                return
            backend = self._place(session, backup, volume) if create else \
                volumes.backend_of(volume.host)
            if backend is None:
                self._finish_restore(session, backup_id, volume_id, create,
                                     'no backend can hold the volume')
                return
            payload = (driver_backup(backup), driver_volume(session.get(m.Volume, volume_id)))
        try:
            self._agents.restore_backup(ctxt, backend, *payload, create=create)
        except Exception:
            LOG.exception('Could not ask backend %s to restore backup %s', backend, backup_id)
            with self._db.writer() as session:
                self._finish_restore(session, backup_id, volume_id, create,
                                     'the backend could not be reached')

    def _place(self, session, backup, volume):
        """Schedule the new volume of a restore on the backend that made the backup (its
        agent reads the backup directory); that backend, or None."""
        specs = volume_types.extra_specs(session, [volume.volume_type_id])
        volume_type = session.get(m.VolumeType, volume.volume_type_id)
        spec = {'volume_id': volume.id, 'project_id': volume.project_id, 'size': volume.size,
                'availability_zone': volume.availability_zone,
                'volume_type': {'id': volume.volume_type_id,
                                'name': volume_type.name if volume_type else None,
                                'extra_specs': specs.get(volume.volume_type_id, {})},
                'multiattach': volume.multiattach, 'snapshot_id': None,
                'source_volid': None, 'image_id': None, 'backend_host': backup.host}
        try:
            choice = scheduling.choose(session, self._conf, spec)
        except scheduling.NoValidBackend as exc:
            LOG.warning('No backend for the volume %s of a restore: %s', volume.id, exc)
            return None
        if not db_api.transition(session, volume.id, (states.CREATING,),
                                 where=(m.Volume.host.is_(None),), host=choice.volume_host,
                                 service_uuid=choice.service_uuid):
            return None
        return choice.backend

    def _finish_restore(self, session, backup_id, volume_id, create, error, values=None):
        done = backups.transition(session, backup_id, (states.BACKUP_RESTORING,),
                                  status=states.BACKUP_AVAILABLE)
        if done:
            self._end_volume_restore(session, volume_id, create, error, values)
        return done

    @staticmethod
    def _end_volume_restore(session, volume_id, create, error, values):
        if create:
            if error is None:
                db_api.transition(session, volume_id, (states.CREATING,),
                                  status=states.AVAILABLE, launched_at=utcnow(),
                                  provider_location=values['provider_location'],
                                  format=values['format'])
            else:
                db_api.transition(session, volume_id, (states.CREATING,), status=states.ERROR)
        else:
            db_api.transition(session, volume_id, (states.RESTORING_BACKUP,),
                              status=states.AVAILABLE if error is None else
                              states.ERROR_RESTORING, previous_status=None)

    # --- delete ---------------------------------------------------------------

    def delete_backup(self, ctxt, backup_id):
        """See ``ConductorAPI.delete_backup``."""
        with self._db.reader() as session:
            backup = session.get(m.Backup, backup_id)
            if backup is None or backup.status != states.BACKUP_DELETING:
                LOG.info('Backup %s is not being deleted; nothing to do', backup_id)
                return
            backend, payload = backup.host, driver_backup(backup)
        if backend is None:
            self._finish_delete(backup_id, None)  # never written anywhere
            return
        try:
            self._agents.delete_backup(ctxt, backend, payload)
        except Exception:
            LOG.exception('Could not ask backend %s to delete backup %s', backend, backup_id)
            self._finish_delete(backup_id, 'the backend could not be reached')

    def _finish_delete(self, backup_id, error):
        with self._db.writer() as session:
            if error is None:
                return backups.transition(session, backup_id, (states.BACKUP_DELETING,),
                                          status=states.BACKUP_DELETED, deleted_at=utcnow())
            return backups.transition(session, backup_id, (states.BACKUP_DELETING,),
                                      status=states.BACKUP_ERROR_DELETING, fail_reason=error)

    # --- the agents' reports --------------------------------------------------

    def backup_done(self, backup_id, action, host, values, error):
        """Record how ``action`` ended; see ``ConductorAPI.backup_done``.

        :returns: whether the report changed the backup.
        """
        with self._db.writer() as session:
            backup = session.get(m.Backup, backup_id)
            if backup is None:
                return False
            if action == rpcapi.RESTORE:
                volume_id = (values or {}).get('volume_id')
                volume = session.get(m.Volume, volume_id) if volume_id else None
                holder = volumes.backend_of(volume.host) if volume else None
                if holder != host or backup.restore_volume_id != volume_id:
                    return self._ignored(backup_id, action, host, holder)
                create = volume.status == states.CREATING
                if self._finish_restore(session, backup_id, volume_id, create, error, values):
                    return True
                if not _busy(session, m.Backup.restore_volume_id, volume_id,
                             states.BACKUP_RESTORING):
                    # The backup left ``restoring`` meanwhile (force-deleted, reset): the
                    # volume still ends its restore, as Cinder's backup manager ends it.
                    self._end_volume_restore(session, volume_id, create, error, values)
                return False
            if backup.host != host:
                return self._ignored(backup_id, action, host, backup.host)
            if action == rpcapi.CREATE:
                if error is not None:
                    done = self._fail_create(session, backup_id, backup.volume_id, error)
                else:
                    done = backups.transition(
                        session, backup_id, (states.BACKUP_CREATING,),
                        status=states.BACKUP_AVAILABLE, size=int(values['size']),
                        object_count=int(values['object_count']), data_timestamp=utcnow())
                    if done:
                        backups.release_volume(session, backup.volume_id, states.BACKING_UP)
                if not done and not _busy(session, m.Backup.volume_id, backup.volume_id,
                                          states.BACKUP_CREATING):
                    # Force-deleted or reset while it was being made: its volume, which
                    # no other backup holds, leaves ``backing-up`` all the same.
                    backups.release_volume(session, backup.volume_id, states.BACKING_UP)
                return done
        if action == rpcapi.DELETE:
            return self._finish_delete(backup_id, error)
        raise ValueError(f'Unknown backup action {action!r}')

    @staticmethod
    def _ignored(backup_id, action, host, holder):
        LOG.warning('Ignoring the report of %s on backup %s (%s): it belongs to %s', host,
                    backup_id, action, holder)
        return False
