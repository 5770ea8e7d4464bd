"""The volume conductor's RPC endpoint and its process.

The methods of ``ConductorManager`` have the names of
``volume.rpcapi.ConductorAPI``'s.  Every message is a cast, so a failure
has no caller to tell: it is logged here, and the volume keeps the
status it had (an operator's os-reset_status puts it right).
"""
import functools
import logging

from common import rpc
from common import service
from volume import rpcapi
from volume.conductor import backend_reports
from volume.conductor import backups
from volume.conductor import images as image_paths
from volume.conductor import orchestration
from volume.conductor import snapshot_policies
from volume.conductor import snapshots

LOG = logging.getLogger(__name__)
BINARY = 'stratus-volume-conductor'


def _logged(method):
    @functools.wraps(method)
    def run(self, ctxt, **kwargs):
        try:
            return method(self, ctxt, **kwargs)
        except Exception:
            LOG.exception('%s(%s) failed', method.__name__, kwargs)
            raise
    return run


class ConductorManager:

    def __init__(self, conf, db, agents):
        self._db = db
        self._orchestrator = orchestration.Orchestrator(conf, db, agents)
        self.snapshotter = snapshots.Snapshotter(db, agents)
        self._backupper = backups.Backupper(conf, db, agents)
        self._uploads = image_paths.Uploads(conf, db, agents)

    @_logged
    def create_volume(self, ctxt, volume_id, request_spec):
        """See ``rpcapi.ConductorAPI.create_volume``."""
        self._orchestrator.create_volume(ctxt, volume_id, request_spec)

    @_logged
    def delete_volume(self, ctxt, volume_id, cascade=False):
        """See ``rpcapi.ConductorAPI.delete_volume``."""
        self._orchestrator.delete_volume(ctxt, volume_id, cascade)

    @_logged
    def extend_volume(self, ctxt, volume_id, new_size):
        """See ``rpcapi.ConductorAPI.extend_volume``."""
        self._orchestrator.extend_volume(ctxt, volume_id, new_size)

    @_logged
    def report_state(self, ctxt, backend_state):
        """See ``rpcapi.ConductorAPI.report_state``."""
        backend_reports.report_state(self._db, backend_state)
        backups.record_backup_service(self._db, backend_state)

    @_logged
    def volume_done(self, ctxt, volume_id, action, host, values=None, error=None):
        """See ``rpcapi.ConductorAPI.volume_done``."""
        if action not in rpcapi.ACTIONS:
            raise ValueError(f'Unknown volume action {action!r}')
        self._orchestrator.volume_done(volume_id, action, host, values, error)

    # --- snapshots and backups (1.2): see conductor.snapshots, conductor.backups

    @_logged
    def create_snapshot(self, ctxt, snapshot_id):
        self.snapshotter.create_snapshot(ctxt, snapshot_id)

    @_logged
    def delete_snapshot(self, ctxt, snapshot_id):
        self.snapshotter.delete_snapshot(ctxt, snapshot_id)

    @_logged
    def snapshot_done(self, ctxt, snapshot_id, action, host, values=None, error=None):
        self.snapshotter.snapshot_done(snapshot_id, action, host, values, error)

    @_logged
    def create_backup(self, ctxt, backup_id):
        self._backupper.create_backup(ctxt, backup_id)

    @_logged
    def restore_backup(self, ctxt, backup_id, volume_id):
        self._backupper.restore_backup(ctxt, backup_id, volume_id)

    @_logged
    def delete_backup(self, ctxt, backup_id):
        self._backupper.delete_backup(ctxt, backup_id)

    @_logged
    def backup_done(self, ctxt, backup_id, action, host, values=None, error=None):
        self._backupper.backup_done(backup_id, action, host, values, error)

    @_logged
    def upload_image(self, ctxt, volume_id, image):
        """See ``rpcapi.ConductorAPI.upload_image``."""
        self._uploads.upload_image(ctxt, volume_id, image)


class ConductorService(service.Service):
    """A volume conductor process: the RPC server on ``volume.conductor`` and its own
    ``cinder-scheduler`` heartbeat, and the snapshot policies' periodic task."""

    def __init__(self, conf, db, transport=None):
        transport = transport or rpc.get_transport(conf)
        agents = rpcapi.AgentAPI(conf, transport=transport)
        manager = ConductorManager(conf, db, agents)
        runner = snapshot_policies.PolicyRunner(conf, db, manager.snapshotter)
        interval = conf.conductor.snapshot_policy_interval
        policies_task = service.PeriodicTask('snapshot_policies', interval, runner.run,
                                             initial_delay=interval)
        super().__init__(conf, binary=BINARY, topic=rpcapi.CONDUCTOR_TOPIC,
                         endpoints=[manager], periodic_tasks=[policies_task],
                         rpc_version=rpcapi.CONDUCTOR_VERSION, transport=transport,
                         heartbeat=lambda: backend_reports.conductor_heartbeat(db, conf))
