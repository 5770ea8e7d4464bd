"""Doubles for the snapshot, backup and snapshot-policy tests: a conductor and agents that
record the 1.2/1.1 casts too, and an API environment using them."""
from tests.unit.volume.conductor.helpers import RecordingAgents
from tests.unit.volume.fixtures import RecordingConductor

BACKEND = 'node-1@file'
VOLUME_HOST = 'node-1@file#file'


class CopiesConductor(RecordingConductor):
    """``RecordingConductor`` with the snapshot and backup casts of ConductorAPI 1.2."""

    def create_snapshot(self, ctx, snapshot_id):
        self._record('create_snapshot', snapshot_id=snapshot_id)

    def delete_snapshot(self, ctx, snapshot_id):
        self._record('delete_snapshot', snapshot_id=snapshot_id)

    def create_backup(self, ctx, backup_id):
        self._record('create_backup', backup_id=backup_id)

    def restore_backup(self, ctx, backup_id, volume_id):
        self._record('restore_backup', backup_id=backup_id, volume_id=volume_id)

    def delete_backup(self, ctx, backup_id):
        self._record('delete_backup', backup_id=backup_id)


class CopiesAgents(RecordingAgents):
    """``RecordingAgents`` with the snapshot and backup casts of AgentAPI 1.1."""

    def create_snapshot(self, ctx, backend, snapshot, volume):
        self._record('create_snapshot', backend, snapshot=snapshot, volume=volume)

    def delete_snapshot(self, ctx, backend, snapshot):
        self._record('delete_snapshot', backend, snapshot=snapshot)

    def create_backup(self, ctx, backend, backup, volume, parent=None):
        self._record('create_backup', backend, backup=backup, volume=volume, parent=parent)

    def restore_backup(self, ctx, backend, backup, volume, create=False):
        self._record('restore_backup', backend, backup=backup, volume=volume, create=create)

    def delete_backup(self, ctx, backend, backup):
        self._record('delete_backup', backend, backup=backup)

    def named(self, method):
        return [(backend, kwargs) for name, backend, kwargs in self.calls if name == method]


def copies_env(make_env, **overrides):
    """A volume API environment (``make_env``) whose conductor records these casts too."""
    built = make_env(**overrides)
    built.conductor = built.app.conductor = CopiesConductor()
    return built
