"""The volume agent's RPC endpoint: runs what the conductor asks on the backend's driver
and reports how it ended (``ConductorAPI.volume_done``).

Its methods have the names of ``volume.rpcapi.AgentAPI``'s.  Every
request is reported, failed or not (``volume.agent.reports``), so that
the volume still leaves its transitional status.
"""
from volume import rpcapi
from volume.agent import connections
from volume.agent import copies
from volume.agent import reports
from volume.agent.drivers import driver as base

BINARY = 'stratus-volume-agent'


class AgentManager:

    def __init__(self, driver, conductor, backend, images=None):
        """:param backend: ``<host>@<backend>``, as the conductor knows this agent.
        :param images: its ``volume.agent.image_transfer.ImageTransfer`` (``None``:
            requests that need the image service fail)."""
        self._driver = driver
        self._images = images
        self._conductor = conductor
        self._backend = backend
        self._copies = copies.Copies(driver, conductor, backend)

    def create_volume(self, ctxt, volume, snapshot=None, source_volume=None, image=None):
        """Create ``volume``: blank, or from ``snapshot``, ``source_volume`` or ``image``
        (1.3, downloaded as the user of ``ctxt``)."""
        def create():
            if snapshot is not None:
                update = self._driver.create_volume_from_snapshot(volume, snapshot)
            elif source_volume is not None:
                update = self._driver.create_cloned_volume(volume, source_volume)
            elif image is not None:
                update = self._image_transfer().copy_image_to_volume(ctxt, volume, image)
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

    # --- snapshots and backups (1.1): see ``volume.agent.copies`` -------------

    def create_snapshot(self, ctxt, snapshot, volume):
        self._copies.create_snapshot(ctxt, snapshot, volume)

    def delete_snapshot(self, ctxt, snapshot):
        self._copies.delete_snapshot(ctxt, snapshot)

    def create_backup(self, ctxt, backup, volume, parent=None):
        self._copies.create_backup(ctxt, backup, volume, parent)

    def restore_backup(self, ctxt, backup, volume, create=False):
        self._copies.restore_backup(ctxt, backup, volume, create)

    def delete_backup(self, ctxt, backup):
        self._copies.delete_backup(ctxt, backup)

    # --- connections (1.2, calls): see ``volume.agent.connections`` -----------

    def initialize_connection(self, ctxt, volume, connector):
        return connections.initialize(self._driver, self._backend, volume, connector)

    def terminate_connection(self, ctxt, volume, connector):
        return connections.terminate(self._driver, self._backend, volume, connector)

    def copy_volume_to_image(self, ctxt, volume, image):
        """Upload ``volume`` into the queued image ``image`` (1.3)."""
        def upload():
            self._image_transfer().copy_volume_to_image(ctxt, volume, image)
            return {'image_id': image['id']}
        self._run(ctxt, rpcapi.UPLOAD_IMAGE, volume['id'], upload)

    def _image_transfer(self):
        if self._images is None:
            raise base.DriverError(f'The volume agent of {self._backend} has no access to '
                                   'the image service.')
        return self._images

    def _run(self, ctxt, action, volume_id, operation):
        reports.run(ctxt, self._conductor.volume_done, self._backend, 'volume', action,
                    volume_id, operation)
