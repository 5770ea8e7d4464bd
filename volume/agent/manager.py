"""The volume agent's RPC endpoint: runs what the conductor asks on the backend's driver
and reports how it ended (``ConductorAPI.volume_done``).

Its methods have the names of ``volume.rpcapi.AgentAPI``'s.  A driver
failure is reported with the driver's message, which says what went
wrong in an operator's words; any other failure is logged here with its
traceback and reported in general terms, so that the volume still leaves
its transitional status.
"""
import logging

from volume import rpcapi
from volume.agent.drivers import driver as base

LOG = logging.getLogger(__name__)
BINARY = 'stratus-volume-agent'


class AgentManager:

    def __init__(self, driver, conductor, backend):
        """:param backend: ``<host>@<backend>``, as the conductor knows this agent."""
        self._driver = driver
        self._conductor = conductor
        self._backend = backend

    def create_volume(self, ctxt, volume, snapshot=None, source_volume=None):
        """Create ``volume``: blank, or from ``snapshot`` or ``source_volume``."""
        def create():
            if snapshot is not None:
                update = self._driver.create_volume_from_snapshot(volume, snapshot)
            elif source_volume is not None:
                update = self._driver.create_cloned_volume(volume, source_volume)
            else:
                update = self._driver.create_volume(volume)
            return {'provider_location': update['provider_location'],
                    'format': update['format']}
        self._run(ctxt, rpcapi.CREATE, volume['id'], create)

    def delete_volume(self, ctxt, volume, snapshots=()):
        """Remove ``snapshots`` (the cascade of the delete), then ``volume``."""
        def delete():
            for snapshot in snapshots:
                self._driver.delete_snapshot(snapshot)
            self._driver.delete_volume(volume)
        self._run(ctxt, rpcapi.DELETE, volume['id'], delete)

    def extend_volume(self, ctxt, volume, new_size):
        def extend():
            self._driver.extend_volume(volume, new_size)
            return {'size': new_size}
        self._run(ctxt, rpcapi.EXTEND, volume['id'], extend)

    def _run(self, ctxt, action, volume_id, operation):
        values = error = None
        try:
            values = operation()
        except base.DriverError as exc:
            LOG.warning('Could not %s volume %s: %s', action, volume_id, exc)
            error = str(exc)
        except Exception:
            LOG.exception('Could not %s volume %s', action, volume_id)
            error = f'Unexpected error of the volume backend {self._backend}; see its log.'
        self._conductor.volume_done(ctxt, volume_id, action, self._backend, values=values,
                                    error=error)
