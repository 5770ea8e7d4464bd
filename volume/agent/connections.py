"""The agent's part of attaching: the driver's ``initialize_connection`` and
``terminate_connection``, answered to the volume API's ``call`` (AgentAPI 1.2).

The API waits for the answer, so the outcome is returned, never cast
back: a ``rpcapi.ConnectionResult`` with the driver's connection info, or
the driver's message when it failed.  Any other failure is logged here
with its traceback and answered in general terms, so that the API can
answer its client instead of waiting for a timeout.
"""
import logging

from volume import rpcapi
from volume.agent.drivers import driver as base

LOG = logging.getLogger(__name__)


def initialize(driver, backend, volume, connector):
    """Ask ``driver`` how the host of ``connector`` reaches ``volume``."""
    return _answer(backend, 'connect', volume,
                   lambda: driver.initialize_connection(volume, connector))


def terminate(driver, backend, volume, connector):
    """Tell ``driver`` the host of ``connector`` no longer uses ``volume``."""
    def disconnect():
        driver.terminate_connection(volume, connector)
    return _answer(backend, 'disconnect', volume, disconnect)


def _answer(backend, verb, volume, operation):
    try:
        info = operation()
    except base.DriverError as exc:
        LOG.warning('Could not %s volume %s: %s', verb, volume.get('id'), exc)
        return rpcapi.ConnectionResult(connection_info=None, error=str(exc))
    except Exception:
        LOG.exception('Could not %s volume %s', verb, volume.get('id'))
        return rpcapi.ConnectionResult(
            connection_info=None,
            error=f'Unexpected error of the volume backend {backend}; see its log.')
    return rpcapi.ConnectionResult(connection_info=dict(info) if info else None, error=None)
