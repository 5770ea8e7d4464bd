"""A server killed mid-upload is repaired when it starts again.

The image API of this module is its own (it is killed): SIGKILL to the
gunicorn master and every worker while an upload and a stage stream,
as a power cut would.  At the next start the master reconciles the
database with the store before any worker serves (``image/reconcile.py``):
the interrupted uploads are ``queued`` again with no data fields, no
partial file remains, store files no image refers to are removed, and the
data of active images is untouched.
"""
import os
import threading
import time
import uuid

import pytest
import requests

from tests import servers
from tests.functional.image import helpers
from tests.functional.image.helpers import MiB


@pytest.fixture(scope='module')
def crash_image(identity, database_backend, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f'image-crash-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.ImageServer(str(directory), url, identity).start()
        try:
            yield server
        finally:
            server.stop()


class EndlessUpload(threading.Thread):
    """Streams a chunked body slowly until the connection breaks (or 120 s pass)."""

    def __init__(self, client, image_id, path):
        super().__init__(name=f'endless-{path}', daemon=True)
        self.client = client
        self.image_id = image_id
        self.path = path
        self.sent = 0
        self.outcome = None

    def body(self):
        piece = helpers.pattern(256 * 1024, seed=self.path)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            self.sent += len(piece)
            yield piece
            time.sleep(0.02)

    def run(self):
        try:
            self.outcome = helpers.upload(self.client, self.image_id, self.body(), path=self.path)
        except requests.RequestException as exc:
            self.outcome = exc


def wait_until(predicate, timeout=30, what='a condition'):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f'timed out waiting for {what}'
        time.sleep(0.05)


def test_kill_mid_upload_then_restart_reconciles(crash_image, admin):
    server = crash_image
    client = server.client(admin.token)

    survivor = helpers.create(client, name='survivor')
    survivor_data = helpers.pattern(3 * MiB, seed='survivor')
    assert helpers.upload(client, survivor['id'], survivor_data).status_code == 204
    staged = helpers.create(client, name='staged-before')
    assert helpers.upload(client, staged['id'], helpers.pattern(MiB, seed='staged'),
                          path='stage').status_code == 204

    uploading = helpers.create(client, name='killed-while-saving')
    staging = helpers.create(client, name='killed-while-staging')
    streams = [EndlessUpload(server.client(admin.token), uploading['id'], 'file'),
               EndlessUpload(server.client(admin.token), staging['id'], 'stage')]
    for stream in streams:
        stream.start()
    wait_until(lambda: helpers.show(client, uploading['id'])['status'] == 'saving'
               and helpers.show(client, staging['id'])['status'] == 'uploading'
               and len(helpers.partial_files(server.store_path)) == 1
               and len(helpers.partial_files(server.staging_path)) == 1
               and all(s.sent > 2 * MiB for s in streams), what='both uploads to stream')

    helpers.kill_hard(server)
    for stream in streams:
        stream.join(30)
        assert isinstance(stream.outcome, requests.RequestException), stream.outcome
    # What the crash left: half-written files, and (as if a deletion's data
    # removal had failed) data no image refers to, in the store and staging.
    assert len(helpers.partial_files(server.store_path)) == 1
    assert len(helpers.partial_files(server.staging_path)) == 1
    orphan = str(uuid.uuid4())
    staged_orphan = str(uuid.uuid4())
    for directory, name in ((server.store_path, orphan), (server.staging_path, staged_orphan)):
        with open(os.path.join(directory, name), 'wb') as stream:
            stream.write(b'orphaned data')

    server.start_process()

    assert helpers.partial_files(server.store_path) == []
    assert helpers.partial_files(server.staging_path) == []
    assert helpers.data_files(server.store_path) == [survivor['id']]
    assert helpers.data_files(server.staging_path) == [staged['id']]
    for interrupted in (uploading, staging):
        shown = helpers.show(client, interrupted['id'])
        assert (shown['status'], shown['size'], shown['checksum'], shown['os_hash_value']) \
            == ('queued', None, None, None), shown
    assert helpers.show(client, staged['id'])['status'] == 'uploading'
    kept = helpers.show(client, survivor['id'])
    assert (kept['status'], kept['os_hash_value']) == \
        ('active', helpers.digests(survivor_data)[1])
    assert client.get(f'/v2/images/{survivor["id"]}/file').content == survivor_data
    with open(server.log_path) as stream:
        log = stream.read()
    for interrupted, status in ((uploading, 'saving'), (staging, 'uploading')):
        assert f'Image {interrupted["id"]} was {status} when the service stopped; ' \
            'it is now queued' in log

    # The interrupted images take data again; the staged one imports.
    fresh = helpers.pattern(2 * MiB, seed='fresh')
    assert helpers.upload(client, uploading['id'], helpers.chunks(fresh)).status_code == 204
    assert client.get(f'/v2/images/{uploading["id"]}/file').content == fresh
    assert helpers.upload(client, staging['id'], fresh, path='stage').status_code == 204
    imported = client.post(f'/v2/images/{staged["id"]}/import',
                           json={'method': {'name': 'glance-direct'}})
    assert imported.status_code == 202, imported.text
    assert helpers.wait_for_status(client, staged['id'], ('active', 'killed'))['status'] \
        == 'active'

    for created in (survivor, staged, uploading, staging):
        assert client.delete(f'/v2/images/{created["id"]}').status_code == 204
    assert helpers.data_files(server.store_path) == []
    assert helpers.data_files(server.staging_path) == []
