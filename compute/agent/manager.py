"""The RPC endpoints of one agent host: the conductor's orders, carried out by the driver.

The methods have the names of ``compute.rpcapi.AgentAPI``'s.  ``spawn``
is cast (a spawn may take minutes) and answered with the conductor's
``instance_event``; the other orders are calls whose reply is the result.
A driver failure is an answer (``{"error": …}``), not an exception: the
conductor turns its message into the server's fault, and an RPC error
would carry a traceback instead of the reason.
"""
import logging
import os

from compute.agent.drivers import driver as virt

LOG = logging.getLogger(__name__)


def _power_action(name):
    return lambda drv, instance, _params: getattr(drv, name)(instance)


def _rebuild(drv, instance, params):
    drv.destroy(instance)
    drv.spawn(_spawn_request(instance, params))


def _spawn(drv, instance, params):
    drv.spawn(_spawn_request(instance, params))


def _spawn_request(instance, params):
    return virt.SpawnRequest(instance=instance, image_meta=params.get('image_meta') or {},
                             network_info=params.get('network_info') or [],
                             block_devices=params.get('block_devices') or [])


# action -> fn(driver, instance, params); snapshot needs the uploader (below).
_ACTIONS = {
    'stop': _power_action('power_off'),
    'start': _power_action('power_on'),
    'reboot': lambda drv, instance, params: drv.reboot(instance, params.get('type', 'SOFT')),
    'pause': _power_action('pause'),
    'unpause': _power_action('unpause'),
    'suspend': _power_action('suspend'),
    'resume': _power_action('resume'),
    'rebuild': _rebuild,
    'spawn': _spawn,
}


def _message(exc):
    """What a failure shows as the server's fault: the driver's words, or the error type."""
    if isinstance(exc, virt.DriverError):
        return str(exc)
    return f'{type(exc).__name__}: {exc}'


class AgentManager:
    """Orders for the guests of one host.

    :param host: the host's name (its RPC server name).
    :param driver: its ``VirtDriver``.
    :param conductor: a ``compute.rpcapi.ConductorAPI``, for ``instance_event``.
    :param images: the image service as the requesting user
        (``compute.agent.images.SnapshotImages``): ``upload(ctx, image_id,
        source)`` and ``delete(ctx, image_id)``.
    """

    def __init__(self, host, driver, conductor, images):
        self.host = host
        self.driver = driver
        self._conductor = conductor
        self._images = images

    def spawn(self, ctxt, instance, image_meta, network_info, block_devices):
        request = virt.SpawnRequest(instance=instance, image_meta=image_meta,
                                    network_info=network_info, block_devices=block_devices)
        try:
            self.driver.spawn(request)
        except Exception as exc:  # every failure is reported; the conductor reschedules
            LOG.warning('Spawn of %s failed on %s: %s', instance['uuid'], self.host, exc,
                        exc_info=not isinstance(exc, virt.DriverError))
            self._conductor.instance_event(ctxt, instance['uuid'], self.host, 'spawn',
                                           False, error=_message(exc))
            return
        self._conductor.instance_event(ctxt, instance['uuid'], self.host, 'spawn', True,
                                       power_state=self.driver.get_info(instance['uuid']))

    def run_action(self, ctxt, instance, action, params):
        try:
            if action == 'snapshot':
                self._snapshot(ctxt, instance, params['image_id'])
            else:
                _ACTIONS[action](self.driver, instance, params)
        except Exception as exc:  # answered, so that the conductor can record a fault
            LOG.warning('%s of %s failed on %s: %s', action, instance['uuid'], self.host, exc,
                        exc_info=not isinstance(exc, virt.DriverError))
            return {'error': _message(exc),
                    'power_state': self.driver.get_info(instance['uuid'])}
        return {'power_state': self.driver.get_info(instance['uuid'])}

    def _snapshot(self, ctxt, instance, image_id):
        source = self.driver.snapshot(instance)
        try:
            self._images.upload(ctxt, image_id, source)
        except Exception:
            # Like Nova: an image whose upload failed is deleted, not left queued.
            self._images.delete(ctxt, image_id)
            raise
        finally:
            if not isinstance(source, (str, os.PathLike)):
                source.close()

    def destroy(self, ctxt, instance):
        self.driver.destroy(instance)

    def get_console_output(self, ctxt, instance, length=None):
        """The console log, its last ``length`` lines when given.

        :raises InstanceNotFound: the host has no such guest.
        """
        text = self.driver.get_console_output(instance)
        if length is None:
            return text
        lines = text.splitlines(keepends=True)
        return ''.join(lines[-length:]) if length > 0 else ''
