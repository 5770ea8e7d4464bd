"""The agent's snapshots and backups: run them on the driver, report how each ended
(``ConductorAPI.snapshot_done`` / ``backup_done``).

``AgentManager`` dispatches the 1.1 methods of ``rpcapi.AgentAPI`` here.
Failures are reported as for volumes (``volume.agent.reports``), so that
the resource always leaves its transitional status.
"""
from volume import rpcapi
from volume.agent import reports


class Copies:

    def __init__(self, driver, conductor, backend):
        """:param backend: ``<host>@<backend>``, as the conductor knows this agent."""
        self._driver = driver
        self._conductor = conductor
        self._backend = backend

    def create_snapshot(self, ctxt, snapshot, volume):
        def take():
            update = self._driver.create_snapshot(snapshot, volume)
            return {'provider_location': update['provider_location']}
        self._run(ctxt, self._conductor.snapshot_done, 'snapshot', rpcapi.CREATE,
                  snapshot['id'], take)

    def delete_snapshot(self, ctxt, snapshot):
        self._run(ctxt, self._conductor.snapshot_done, 'snapshot', rpcapi.DELETE,
                  snapshot['id'], lambda: self._driver.delete_snapshot(snapshot))

    def create_backup(self, ctxt, backup, volume, parent=None):
        def copy():
            result = self._driver.backup_volume(backup, volume, parent=parent)
            return {'size': result['size'], 'object_count': result['object_count'],
                    'provider_location': result['provider_location']}
        self._run(ctxt, self._conductor.backup_done, 'backup', rpcapi.CREATE, backup['id'],
                  copy)

    def restore_backup(self, ctxt, backup, volume, create=False):
        """Write ``backup`` onto ``volume``; with ``create`` make the (blank) volume first.

        The report's values name the volume, and with ``create`` carry
        where the backend made it, for the conductor to record.
        """
        def restore():
            values = {'volume_id': volume['id']}
            target = dict(volume)
            if create:
                update = self._driver.create_volume(volume)
                values.update(provider_location=update['provider_location'],
                              format=update['format'])
                target['format'] = update['format']
            self._driver.restore_backup(backup, target)
            return values
        self._run(ctxt, self._conductor.backup_done, 'backup', rpcapi.RESTORE, backup['id'],
                  restore, error_values={'volume_id': volume['id']})

    def delete_backup(self, ctxt, backup):
        self._run(ctxt, self._conductor.backup_done, 'backup', rpcapi.DELETE, backup['id'],
                  lambda: self._driver.delete_backup(backup))

    def _run(self, ctxt, report, kind, action, resource_id, operation, error_values=None):
        reports.run(ctxt, report, self._backend, kind, action, resource_id, operation,
                    error_values=error_values)
