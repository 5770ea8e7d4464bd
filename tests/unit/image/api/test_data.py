"""``PUT/GET /v2/images/{id}/file``: upload and download of image data.

The upload state machine is in ``image.uploads``: ``queued → saving →
active``; a refused image ends ``killed``; any other failure returns it to
``queued``.  Whatever happens, no partial or orphaned file stays in the
store (reliability anchors §4 and target D5).
"""
import hashlib
import io
import os

import pytest

from image.store import file as file_store
from tests.unit.image import factories as f


class FailingStream(io.RawIOBase):
    """A request body that breaks after ``good`` bytes (a client that went away)."""

    def __init__(self, good):
        self._left = good

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._left <= 0:
            raise OSError('connection reset by peer')
        n = min(len(buffer), self._left)
        buffer[:n] = b'x' * n
        self._left -= n
        return n


def _upload_stream(api, image_id, stream, length=None):
    """Upload ``stream`` as the WSGI input, with ``length`` as Content-Length
    (``None``: chunked, the server terminating the stream as gunicorn does)."""
    environ = {'wsgi.input': stream}
    if length is None:
        environ['wsgi.input_terminated'] = True
    else:
        environ['CONTENT_LENGTH'] = str(length)
    return api.put(f'/v2/images/{image_id}/file', environ_overrides=environ,
                   content_type='application/octet-stream')


# --- upload ------------------------------------------------------------------

def test_upload_walks_queued_saving_active(env, monkeypatch):
    api = env.api
    image = f.make_image(api)
    seen = []
    original = file_store.FileWriter.write

    def write(writer, chunk):
        seen.append(f.row(env.backend, image['id']).status)
        return original(writer, chunk)
    monkeypatch.setattr(file_store.FileWriter, 'write', write)
    data = f.raw_data(10_000)
    assert f.upload(api, image['id'], data).status_code == 204
    assert set(seen) == {'saving'}
    body = f.show(api, image['id'])
    assert body['status'] == 'active'
    assert body['size'] == len(data)
    assert body['virtual_size'] == len(data)
    assert body['checksum'] == hashlib.md5(data).hexdigest()
    assert body['os_hash_algo'] == 'sha512'
    assert body['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert env.store_files() == [image['id']]
    assert f.row(env.backend, image['id']).upload_id is None


def test_upload_of_a_qcow2_reads_its_virtual_size(env):
    data = f.qcow2_data(virtual_size=8 * f.MIB)
    image = f.make_active_image(env.api, data=data, disk_format='qcow2')
    assert (image['status'], image['size'], image['virtual_size']) == \
        ('active', len(data), 8 * f.MIB)


def test_upload_in_small_chunks(make_env):
    env = make_env(image__chunk_size=4096)
    data = f.raw_data(50_000)
    image = f.make_active_image(env.api, data=data)
    assert image['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert env.api.get(f'/v2/images/{image["id"]}/file').data == data


def test_second_upload_to_an_active_image_is_409(env):
    image = f.make_active_image(env.api)
    response = f.upload(env.api, image['id'], b'other data')
    assert response.status_code == 409
    assert env.api.get(f'/v2/images/{image["id"]}/file').data == f.raw_data()
    assert env.store_files() == [image['id']]


def test_concurrent_upload_is_409(env, monkeypatch):
    """While one upload streams (image ``saving``), a second one is refused."""
    api = env.api
    image = f.make_image(api)
    answers = []
    original = file_store.FileWriter.write

    def write(writer, chunk):
        if not answers:
            answers.append(f.upload(api, image['id'], b'second upload'))
        return original(writer, chunk)
    monkeypatch.setattr(file_store.FileWriter, 'write', write)
    first = f.upload(api, image['id'], f.raw_data())
    assert answers[0].status_code == 409
    assert first.status_code == 204
    assert f.show(api, image['id'])['checksum'] == hashlib.md5(f.raw_data()).hexdigest()
    assert env.store_files() == [image['id']]


@pytest.mark.parametrize('missing', ['disk_format', 'container_format'])
def test_upload_without_formats_is_400(env, missing):
    image = f.make_image(env.api, **{missing: None})
    response = f.upload(env.api, image['id'], f.raw_data())
    assert response.status_code == 400
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.store_files() == []


def test_qcow2_declared_raw_is_refused_and_killed(env):
    """OSSA-2024-002: a qcow2 (here with a backing file) uploaded as raw."""
    image = f.make_image(env.api, disk_format='raw')
    response = f.upload(env.api, image['id'], f.qcow2_data(backing_file='/etc/shadow'))
    assert response.status_code == 400
    message = response.json['badRequest']['message']
    assert 'qcow2' in message and 'raw' in message
    body = f.show(env.api, image['id'])
    assert body['status'] == 'killed'
    assert body['size'] is None and body['checksum'] is None
    assert env.store_files() == []
    # A killed image takes no more data, and can be deleted.
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 409
    assert env.api.delete(f'/v2/images/{image["id"]}').status_code == 204


def test_qcow2_with_backing_file_is_refused(env):
    image = f.make_image(env.api, disk_format='qcow2')
    response = f.upload(env.api, image['id'], f.qcow2_data(backing_file='/etc/hosts'))
    assert response.status_code == 400
    assert 'backing file' in response.json['badRequest']['message']
    assert f.show(env.api, image['id'])['status'] == 'killed'
    assert env.store_files() == []


def test_empty_upload_makes_an_active_empty_image(env):
    """As in Glance: an empty image (a placeholder with properties) is active, size 0."""
    image = f.make_image(env.api, disk_format='qcow2')
    assert f.upload(env.api, image['id'], b'').status_code == 204
    shown = f.show(env.api, image['id'])
    assert (shown['status'], shown['size'], shown['virtual_size']) == ('active', 0, 0)
    assert shown['checksum'] == 'd41d8cd98f00b204e9800998ecf8427e'
    assert env.api.get(f"/v2/images/{image['id']}/file").data == b''


def test_read_error_mid_stream_returns_the_image_to_queued(make_env):
    env = make_env(image__chunk_size=4096)
    image = f.make_image(env.api)
    response = _upload_stream(env.api, image['id'], FailingStream(good=10_000), 20_000)
    assert response.status_code >= 400
    body = f.show(env.api, image['id'])
    assert body['status'] == 'queued'
    assert (body['size'], body['checksum'], body['os_hash_value']) == (None, None, None)
    assert env.store_files() == []
    # The client may try again.
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 204
    assert f.show(env.api, image['id'])['status'] == 'active'


def test_body_shorter_than_its_content_length(make_env):
    env = make_env(image__chunk_size=4096)
    image = f.make_image(env.api)
    response = _upload_stream(env.api, image['id'], io.BytesIO(f.raw_data(100)), 20_000)
    assert response.status_code == 400
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.store_files() == []


def test_image_size_limit_is_413_and_queued(make_env):
    env = make_env(image__max_image_size=5000, image__chunk_size=4096)
    image = f.make_image(env.api)
    # Chunked (no Content-Length), so the limit is found while streaming.
    response = _upload_stream(env.api, image['id'], io.BytesIO(f.raw_data(5001)))
    assert response.status_code == 413
    assert '5000' in response.json['overLimit']['message']
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.store_files() == []
    assert f.upload(env.api, image['id'], f.raw_data(5000)).status_code == 204


def test_content_length_over_the_size_limit_is_413_before_reading(make_env):
    env = make_env(image__max_image_size=5000)
    image = f.make_image(env.api)
    assert f.upload(env.api, image['id'], f.raw_data(5001)).status_code == 413
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.store_files() == []


def test_byte_quota_is_413_and_queued(make_env):
    env = make_env(quota__image_size_total=5000, image__chunk_size=4096)
    api = env.api
    first = f.make_active_image(api, data=f.raw_data(3000))
    image = f.make_image(api)
    response = f.upload(api, image['id'], f.raw_data(2001))
    assert response.status_code == 413
    assert 'image_size_total' in response.json['overLimit']['message']
    assert f.show(api, image['id'])['status'] == 'queued'
    assert env.store_files() == [first['id']]
    assert f.upload(api, image['id'], f.raw_data(2000)).status_code == 204
    # Another project's quota is its own.
    other = f.make_image(api, as_='other_member')
    assert f.upload(api, other['id'], f.raw_data(4000), as_='other_member').status_code == 204


def test_concurrent_upload_count_quota(make_env):
    env = make_env(quota__image_count_uploading=0)
    image = f.make_image(env.api)
    response = f.upload(env.api, image['id'], f.raw_data())
    assert response.status_code == 413
    assert f.show(env.api, image['id'])['status'] == 'queued'


def test_delete_while_the_upload_finishes_removes_the_data(env, monkeypatch):
    """Deleted between recording the data and activating: nothing may remain."""
    api = env.api
    image = f.make_image(api)
    original = file_store.FileWriter.commit

    def commit(writer):
        with env.app.app_context():
            assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
        original(writer)
    monkeypatch.setattr(file_store.FileWriter, 'commit', commit)
    response = f.upload(api, image['id'], f.raw_data())
    assert response.status_code == 404
    assert env.store_files() == []
    assert f.row(env.backend, image['id']).status == 'deleted'


def test_delete_while_the_upload_streams_removes_the_data(env, monkeypatch):
    api = env.api
    image = f.make_image(api)
    original = file_store.FileWriter.write
    deleted = []

    def write(writer, chunk):
        if not deleted:
            deleted.append(api.delete(f'/v2/images/{image["id"]}').status_code)
        return original(writer, chunk)
    monkeypatch.setattr(file_store.FileWriter, 'write', write)
    response = f.upload(api, image['id'], f.raw_data())
    assert deleted == [204]
    assert response.status_code in (404, 409)
    assert env.store_files() == []
    assert f.row(env.backend, image['id']).status == 'deleted'


def test_store_failure_on_commit_returns_the_image_to_queued(env, monkeypatch):
    def commit(writer):
        raise OSError('disk full')
    monkeypatch.setattr(file_store.FileWriter, 'commit', commit)
    image = f.make_image(env.api)
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 500
    body = f.show(env.api, image['id'])
    assert (body['status'], body['size'], body['checksum']) == ('queued', None, None)
    assert env.store_files() == []


def test_store_that_cannot_start_a_write_returns_the_image_to_queued(env):
    """A store that fails before the first byte (directory gone, disk full,
    permissions) must not leave the image ``saving`` for good."""
    image = f.make_image(env.api)
    os.rmdir(env.backend.store.directory)
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 500
    body = f.show(env.api, image['id'])
    assert (body['status'], body['size'], body['checksum']) == ('queued', None, None)
    os.makedirs(env.backend.store.directory)
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 204
    assert f.show(env.api, image['id'])['status'] == 'active'


def test_upload_to_someone_elses_image(env):
    api = env.api
    image = f.make_image(api)
    f.share(api, image['id'], 'project-q', member_as='other_member')
    assert f.upload(api, image['id'], f.raw_data(), as_='other_member').status_code == 403
    assert f.upload(api, image['id'], f.raw_data(), as_='third_member').status_code == 404
    assert f.upload(api, image['id'], f.raw_data(), as_='reader').status_code == 403
    assert f.show(api, image['id'])['status'] == 'queued'


# --- download ----------------------------------------------------------------

def test_download(env):
    data = f.raw_data(10_000)
    image = f.make_active_image(env.api, data=data)
    response = env.api.get(f'/v2/images/{image["id"]}/file')
    assert response.status_code == 200
    assert response.data == data
    assert response.headers['Content-Type'] == 'application/octet-stream'
    assert response.headers['Content-Length'] == str(len(data))
    assert response.headers['Content-MD5'] == image['checksum']
    assert hashlib.sha512(response.data).hexdigest() == image['os_hash_value']


def test_download_a_range(env):
    data = f.raw_data(10_000)
    image = f.make_active_image(env.api, data=data)
    response = env.api.get(f'/v2/images/{image["id"]}/file', headers={'Range': 'bytes=100-199'})
    assert response.status_code == 206
    assert response.data == data[100:200]
    assert response.headers['Content-Range'] == 'bytes 100-199/10000'
    assert response.headers['Content-Length'] == '100'
    response = env.api.get(f'/v2/images/{image["id"]}/file', headers={'Range': 'bytes=-10'})
    assert (response.status_code, response.data) == (206, data[-10:])


def test_unsatisfiable_range_is_416(env):
    image = f.make_active_image(env.api, data=f.raw_data(1000))
    response = env.api.get(f'/v2/images/{image["id"]}/file',
                           headers={'Range': 'bytes=5000-6000'})
    assert response.status_code == 416
    assert response.headers['Content-Range'] == 'bytes */1000'


def test_download_of_a_queued_image_is_204(env):
    image = f.make_image(env.api)
    response = env.api.get(f'/v2/images/{image["id"]}/file')
    assert response.status_code == 204
    assert response.data == b''


def test_download_of_a_deactivated_image(env):
    image = f.make_active_image(env.api)
    assert env.api.post(f'/v2/images/{image["id"]}/actions/deactivate',
                        as_='cloud_admin').status_code == 204
    response = env.api.get(f'/v2/images/{image["id"]}/file')
    assert response.status_code == 403
    assert env.api.get(f'/v2/images/{image["id"]}/file', as_='reader').status_code == 403
    response = env.api.get(f'/v2/images/{image["id"]}/file', as_='cloud_admin')
    assert (response.status_code, response.data) == (200, f.raw_data())


def test_download_when_the_data_is_missing_is_404(env):
    image = f.make_active_image(env.api)
    env.backend.store.delete(env.backend.store.location_of(image['id']))
    assert env.api.get(f'/v2/images/{image["id"]}/file').status_code == 404


def test_download_by_other_projects_follows_visibility(env):
    api = env.api
    private = f.make_active_image(api, visibility='private')
    assert api.get(f'/v2/images/{private["id"]}/file', as_='other_member').status_code == 404
    shared = f.make_active_image(api)
    f.share(api, shared['id'], 'project-q', status='pending')
    response = api.get(f'/v2/images/{shared["id"]}/file', as_='other_member')
    assert response.status_code == 200
    assert response.data == f.raw_data()
    community = f.make_active_image(api, visibility='community')
    assert api.get(f'/v2/images/{community["id"]}/file', as_='third_member').status_code == 200


def test_chunked_upload(env):
    """``openstack image create < file``: no Content-Length, the server ends the stream."""
    data = f.raw_data(10_000)
    image = f.make_image(env.api)
    assert _upload_stream(env.api, image['id'], io.BytesIO(data)).status_code == 204
    body = f.show(env.api, image['id'])
    assert (body['status'], body['size']) == ('active', 10_000)
    assert body['checksum'] == hashlib.md5(data).hexdigest()
