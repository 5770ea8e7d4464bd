"""The RPC endpoints of one agent host: the conductor's orders, carried out by the driver.

The methods have the names of ``compute.rpcapi.AgentAPI``'s.  ``spawn``
is cast (a spawn may take minutes) and answered with the conductor's
``instance_event``; the other orders are calls whose reply is the result.
A driver failure is an answer (``{"error": …}``), not an exception: the
conductor turns its message into the server's fault, and an RPC error
would carry a traceback instead of the reason.
"""
import contextlib
import logging
import os

from compute.agent.drivers import driver as virt

LOG = logging.getLogger(__name__)


def _instance_action(name):
    return lambda drv, instance, _params, _fetch: getattr(drv, name)(instance)


def _rebuild(drv, instance, params, fetch_image):
    drv.destroy(instance)
    drv.spawn(_spawn_request(instance, params, fetch_image))


def _migrate_disk_and_power_off(drv, instance, params, _fetch):
    return {'disk_info': drv.migrate_disk_and_power_off(instance, params['dest_host'])}


def _finish_migration(drv, instance, params, fetch_image):
    drv.finish_migration(_spawn_request(instance, params, fetch_image), params['disk_info'],
                         params.get('power_on', True))


def _finish_revert_migration(drv, instance, params, fetch_image):
    drv.finish_revert_migration(_spawn_request(instance, params, fetch_image),
                                params.get('power_on', True))


def _spawn_request(instance, params, fetch_image):
    return virt.SpawnRequest(instance=instance, image_meta=params.get('image_meta') or {},
                             network_info=params.get('network_info') or [],
                             block_devices=params.get('block_devices') or [],
                             fetch_image=fetch_image)


# action -> fn(driver, instance, params, fetch_image), returning what the reply
# carries besides the power state (or None); snapshot needs the uploader (below).
_ACTIONS = {
    'stop': _instance_action('power_off'),
    'start': _instance_action('power_on'),
    'reboot': lambda drv, instance, params, _fetch: drv.reboot(instance,
                                                               params.get('type', 'SOFT')),
    'pause': _instance_action('pause'),
    'unpause': _instance_action('unpause'),
    'suspend': _instance_action('suspend'),
    'resume': _instance_action('resume'),
    'rebuild': _rebuild,
    'migrate_disk_and_power_off': _migrate_disk_and_power_off,
    'finish_migration': _finish_migration,
    'confirm_migration': _instance_action('confirm_migration'),
    'finish_revert_migration': _finish_revert_migration,
    'attach_volume': lambda drv, instance, params, _fetch: {'device': drv.attach_volume(
        instance, params['connection_info'], params['serial'], params.get('mountpoint'))},
    'detach_volume': lambda drv, instance, params, _fetch: drv.detach_volume(
        instance, params['serial']),
    'extend_volume': lambda drv, instance, params, _fetch: drv.extend_volume(
        instance, params['serial']),
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
    :param images: where snapshots go, as the requesting user
        (``compute.agent.images.SnapshotImages``): ``upload(ctx, image_id,
        source)`` and ``delete(ctx, image_id)``.
    :param boot_images: where boot images come from, as the requesting user
        (``compute.agent.images.BootImages``): ``fetch(ctx, image_id,
        stream)``, bound to each order's context as the
        ``SpawnRequest.fetch_image`` of the driver.
    """

    def __init__(self, host, driver, conductor, images, boot_images):
        self.host = host
        self.driver = driver
        self._conductor = conductor
        self._images = images
        self._boot_images = boot_images

    def _fetch_image(self, ctxt):
        """The ``SpawnRequest.fetch_image`` of an order: the user of ``ctxt`` fetches."""
        def fetch_image(image_id, stream):
            self._boot_images.fetch(ctxt, image_id, stream)
        return fetch_image

    def spawn(self, ctxt, instance, image_meta, network_info, block_devices):
        request = virt.SpawnRequest(instance=instance, image_meta=image_meta,
                                    network_info=network_info, block_devices=block_devices,
                                    fetch_image=self._fetch_image(ctxt))
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
        """Carry out ``action``; the reply has ``power_state``, and ``error`` on a failure.

        ``migrate_disk_and_power_off`` also answers ``disk_info``, and
        ``attach_volume`` the ``device``.
        """
        LOG.info('%s of instance %s on %s', action, instance['uuid'], self.host)
        try:
            if action == 'snapshot':
                self._snapshot(ctxt, instance, params['image_id'])
                extra = None
            else:
                extra = _ACTIONS[action](self.driver, instance, params,
                                         self._fetch_image(ctxt))
        except Exception as exc:  # answered, so that the conductor can record a fault
            LOG.warning('%s of %s failed on %s: %s', action, instance['uuid'], self.host, exc,
                        exc_info=not isinstance(exc, virt.DriverError))
            return {'error': _message(exc),
                    'power_state': self.driver.get_info(instance['uuid'])}
        return {**(extra or {}), 'power_state': self.driver.get_info(instance['uuid'])}

    def _snapshot(self, ctxt, instance, image_id):
        source = self.driver.snapshot(instance)
        try:
            self._images.upload(ctxt, image_id, source)
        except Exception:
            # Like Nova: an image whose upload failed is deleted, not left queued.
            self._images.delete(ctxt, image_id)
            raise
        finally:
            if isinstance(source, (str, os.PathLike)):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(source)  # the driver's temporary copy
            else:
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
