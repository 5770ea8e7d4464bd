"""How the agent runs what the conductor asks and reports how it ended.

Volumes, snapshots and backups are reported alike (``ConductorAPI.volume_done``,
``snapshot_done``, ``backup_done``): a driver failure with the driver's
message, which says what went wrong in an operator's words; any other
failure logged here with its traceback and reported in general terms.
Either way a report is sent, so the resource always leaves its
transitional status.
"""
import logging

from volume.agent.drivers import driver as base

LOG = logging.getLogger(__name__)


def run(ctxt, report, backend, kind, action, resource_id, operation, error_values=None):
    """Run ``operation()`` and send ``report`` with the values it returned or the error.

    :param report: the ``ConductorAPI`` method, ``report(ctxt, resource_id, action,
        backend, values=, error=)``.
    :param kind: what ``resource_id`` names (``volume``, ``snapshot``, ``backup``), for
        the log.
    :param error_values: the values reported with an error (what the conductor needs
        to undo it, e.g. the volume a restore was writing).
    """
    values = error = None
    try:
        values = operation()
    except base.DriverError as exc:
        LOG.warning('Could not %s %s %s: %s', action, kind, resource_id, exc)
        error, values = str(exc), error_values
    except Exception:
        LOG.exception('Could not %s %s %s', action, kind, resource_id)
        error = f'Unexpected error of the volume backend {backend}; see its log.'
        values = error_values
    report(ctxt, resource_id, action, backend, values=values, error=error)
