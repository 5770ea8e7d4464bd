"""A test double of the SDK's ``conn.block_storage`` proxy, for compute's volume client.

``FakeBlockStorage`` keeps volumes and attachments in memory and answers
the proxy methods compute calls with Cinder's rules as compute relies on
them: a project sees only its own volumes (others are ``NotFound``, as the
volume API answers), an attachment can only be made on an ``available``
volume (``BadRequest`` otherwise), a reservation makes it ``reserved``,
``complete_attachment`` ``in-use``, and deleting the last attachment
``available`` again; snapshots (``add_snapshot``) are seen by their
project only, and a volume made from one records its ``snapshot_id``.
``connect(conf, ctx)`` is what ``VolumeClient`` takes
as its connection factory.  ``fail`` names a method that raises
``ServerError`` (the volume service is broken) on its next calls.
"""
import itertools
import types

from stratus import exceptions as sdk_exceptions
from stratus.block_storage.exceptions import ResourceFailed
from stratus.resource import Resource


class FakeBlockStorage:

    def __init__(self):
        self.volumes = {}
        self.attachments = {}
        self.snapshots = {}
        self.fail = set()
        self.calls = []  # (method, project_id)
        self._ids = itertools.count(1)

    def add_volume(self, project_id, status='available', size=1, **attrs):
        volume_id = f'11111111-0000-4000-8000-{next(self._ids):012d}'
        self.volumes[volume_id] = {'id': volume_id, 'project_id': project_id, 'status': status,
                                   'size': size, 'attach_status': 'detached', **attrs}
        return volume_id

    def add_snapshot(self, project_id, size=1, status='available'):
        snapshot_id = f'22222222-0000-4000-8000-{next(self._ids):012d}'
        self.snapshots[snapshot_id] = {'id': snapshot_id, 'project_id': project_id,
                                       'size': size, 'status': status}
        return snapshot_id

    def status(self, volume_id):
        volume = self.volumes.get(volume_id)
        return None if volume is None else volume['status']

    def attachments_of(self, volume_id):
        return [a for a in self.attachments.values() if a['volume_id'] == volume_id]

    def connect(self, conf, ctx):
        """A stand-in ``Connection`` for the user of ``ctx``."""
        return types.SimpleNamespace(block_storage=_Proxy(self, ctx.project_id))


class _Proxy:
    """The methods of ``stratus.block_storage.proxy.BlockStorageProxy`` compute uses."""

    def __init__(self, store, project_id):
        self._store = store
        self._project = project_id

    def _enter(self, method):
        self._store.calls.append((method, self._project))
        if method in self._store.fail:
            raise sdk_exceptions.ServerError('volume service failure', status_code=500)

    def _volume(self, volume_id):
        volume = self._store.volumes.get(volume_id)
        if volume is None or volume['project_id'] != self._project:
            raise sdk_exceptions.NotFound(f'Volume {volume_id} could not be found.',
                                          status_code=404)
        return volume

    def _attachment(self, attachment_id):
        attachment = self._store.attachments.get(attachment_id)
        if attachment is None:
            raise sdk_exceptions.NotFound(f'Attachment {attachment_id} could not be found.',
                                          status_code=404)
        self._volume(attachment['volume_id'])
        return attachment

    def get_volume(self, volume):
        self._enter('get_volume')
        return Resource(dict(self._volume(volume)))

    def get_snapshot(self, snapshot):
        self._enter('get_snapshot')
        found = self._store.snapshots.get(snapshot)
        if found is None or found['project_id'] != self._project:
            raise sdk_exceptions.NotFound(f'Snapshot {snapshot} could not be found.',
                                          status_code=404)
        return Resource(dict(found))

    def create_volume(self, size=None, *, name=None, image_id=None, snapshot_id=None,
                      availability_zone=None, **attrs):
        self._enter('create_volume')
        if snapshot_id is not None:
            self.get_snapshot(snapshot_id)
        volume_id = self._store.add_volume(self._project, status='available', size=size,
                                           name=name, image_id=image_id,
                                           snapshot_id=snapshot_id)
        return Resource(dict(self._store.volumes[volume_id]))

    def wait_for_status(self, resource, status='available', failures=None, interval=2.0,
                        wait=120.0, *, kind='volume'):
        self._enter('wait_for_status')
        volume = self._volume(resource)
        if volume['status'] != status:
            raise ResourceFailed(f'Volume {resource} is {volume["status"]}.', volume)
        return Resource(dict(volume))

    def delete_volume(self, volume, *, ignore_missing=True, cascade=False, force=False):
        self._enter('delete_volume')
        found = self._store.volumes.get(volume)
        if found is None or found['project_id'] != self._project:
            if ignore_missing:
                return
            self._volume(volume)
        if found['status'] not in ('available', 'error'):
            raise sdk_exceptions.BadRequest(f'Volume {volume} status must be available or '
                                            f'error.', status_code=400)
        del self._store.volumes[volume]

    def create_attachment(self, volume, instance=None, connector=None, mode=None):
        self._enter('create_attachment')
        found = self._volume(volume)
        if found['status'] != 'available':
            raise sdk_exceptions.BadRequest(f'Volume {volume} status must be available or '
                                            f'downloading', status_code=400)
        attachment_id = f'aaaaaaaa-0000-4000-8000-{next(self._store._ids):012d}'
        self._store.attachments[attachment_id] = {
            'id': attachment_id, 'volume_id': volume, 'instance': instance,
            'status': 'reserved', 'connector': None}
        found['status'] = 'reserved'
        return Resource({'id': attachment_id, 'status': 'reserved'})

    def update_attachment(self, attachment, connector):
        self._enter('update_attachment')
        found = self._attachment(attachment)
        found.update(connector=connector, status='attaching')
        info = {'driver_volume_type': 'file',
                'data': {'device_path': f'/srv/volumes/volume-{found["volume_id"]}',
                         'format': 'raw'}}
        return Resource({'id': attachment, 'connection_info': info})

    def complete_attachment(self, attachment):
        self._enter('complete_attachment')
        found = self._attachment(attachment)
        found['status'] = 'attached'
        volume = self._store.volumes[found['volume_id']]
        volume.update(status='in-use', attach_status='attached')

    def delete_attachment(self, attachment, *, ignore_missing=True):
        self._enter('delete_attachment')
        found = self._store.attachments.get(attachment)
        if found is None:
            if not ignore_missing:
                self._attachment(attachment)
            return
        self._volume(found['volume_id'])
        del self._store.attachments[attachment]
        if not self._store.attachments_of(found['volume_id']):
            self._store.volumes[found['volume_id']].update(status='available',
                                                           attach_status='detached')
