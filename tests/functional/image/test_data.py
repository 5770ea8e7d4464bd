"""Image data through the real API process: upload, download, stage and import.

Each test runs on every database backend (the session's ``image`` server)
and checks what the issue promises of the store: data is hashed as it
streams and written under a temporary name that becomes the image's only
once recorded; an interrupted upload leaves the image ``queued`` with no
partial file; a second upload of the same image gets 409; deleted data is
gone; refused data leaves the image ``killed`` and nothing stored.
"""
import struct
import threading

import pytest

from tests.functional.image import helpers
from tests.functional.image.helpers import MiB


@pytest.fixture
def client(image, admin):
    return image.client(admin.token)


def assert_nothing_stored(image, image_id):
    assert helpers.partial_files(image.store_path) == []
    assert image_id not in helpers.data_files(image.store_path)


@pytest.mark.parametrize('transfer', ['content-length', 'chunked'])
def test_upload_is_hashed_stored_and_downloaded(image, client, transfer):
    data = helpers.pattern(3 * MiB + 12345, seed=transfer)
    body = data if transfer == 'content-length' else helpers.chunks(data)
    created = helpers.create(client, name=f'upload-{transfer}')
    assert (created['status'], created['size'], created['checksum']) == ('queued', None, None)

    uploaded = helpers.upload(client, created['id'], body)
    assert uploaded.status_code == 204, uploaded.text

    md5, sha512 = helpers.digests(data)
    shown = helpers.show(client, created['id'])
    assert shown['status'] == 'active'
    assert (shown['size'], shown['virtual_size']) == (len(data), len(data))
    assert (shown['checksum'], shown['os_hash_algo'], shown['os_hash_value']) == \
        (md5, 'sha512', sha512)
    assert helpers.data_files(image.store_path).count(created['id']) == 1
    assert helpers.partial_files(image.store_path) == []

    downloaded = client.get(f'/v2/images/{created["id"]}/file')
    assert downloaded.status_code == 200
    assert downloaded.headers['Content-Type'] == 'application/octet-stream'
    assert downloaded.headers['Content-MD5'] == md5
    assert int(downloaded.headers['Content-Length']) == len(data)
    assert downloaded.content == data
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_download_ranges(client):
    data = helpers.pattern(MiB, seed='range')
    created = helpers.create(client, name='ranges')
    assert helpers.upload(client, created['id'], data).status_code == 204
    path = f'/v2/images/{created["id"]}/file'

    whole = client.get(path)
    assert whole.headers['Accept-Ranges'] == 'bytes'
    middle = client.get(path, headers={'Range': 'bytes=100-199'})
    assert middle.status_code == 206
    assert middle.content == data[100:200]
    assert middle.headers['Content-Range'] == f'bytes 100-199/{len(data)}'
    assert 'Content-MD5' not in middle.headers  # the checksum is of the whole image
    tail = client.get(path, headers={'Range': 'bytes=-10'})
    assert (tail.status_code, tail.content) == (206, data[-10:])
    rest = client.get(path, headers={'Range': f'bytes={len(data) - 5}-'})
    assert (rest.status_code, rest.content) == (206, data[-5:])
    beyond = client.get(path, headers={'Range': f'bytes={len(data)}-'})
    assert beyond.status_code == 416
    assert beyond.headers['Content-Range'] == f'bytes */{len(data)}'
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_delete_removes_the_data(image, client):
    created = helpers.create(client, name='delete-me')
    assert helpers.upload(client, created['id'], helpers.pattern(MiB)).status_code == 204
    assert created['id'] in helpers.data_files(image.store_path)

    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204
    assert created['id'] not in helpers.data_files(image.store_path)
    assert client.get(f'/v2/images/{created["id"]}').status_code == 404
    assert client.get(f'/v2/images/{created["id"]}/file').status_code == 404
    # An image that never had data is deleted just as well.
    empty = helpers.create(client, name='never-uploaded')
    assert client.delete(f'/v2/images/{empty["id"]}').status_code == 204
    assert client.get(f'/v2/images/{empty["id"]}').status_code == 404


def _await_saving(client, image_id):
    shown = helpers.wait_for_status(client, image_id, ('saving',), timeout=30)
    assert shown['status'] == 'saving', shown


@pytest.mark.parametrize('transfer', ['content-length', 'chunked'])
def test_client_disconnecting_mid_upload_leaves_image_queued(image, client, admin, transfer):
    created = helpers.create(client, name=f'disconnect-{transfer}')
    path = f'/v2/images/{created["id"]}/file'
    piece = helpers.pattern(256 * 1024, seed='cut')
    sock = helpers.raw_connection(image.url)
    try:
        if transfer == 'content-length':
            sock.sendall(helpers.request_head('PUT', path, admin.token,
                                              {'Content-Length': 64 * MiB}))
            for _ in range(12):
                sock.sendall(piece)
        else:
            sock.sendall(helpers.request_head('PUT', path, admin.token,
                                              {'Transfer-Encoding': 'chunked'}))
            for _ in range(12):
                sock.sendall(helpers.chunk_frame(piece))
        _await_saving(client, created['id'])
    finally:
        sock.close()  # 3 MiB of the body sent, then gone

    shown = helpers.wait_for_status(client, created['id'], (), leaving='saving', timeout=30)
    assert shown['status'] == 'queued'
    assert (shown['size'], shown['checksum'], shown['os_hash_value']) == (None, None, None)
    assert_nothing_stored(image, created['id'])

    # The image is as good as new: a complete upload succeeds.
    data = helpers.pattern(2 * MiB, seed='after-cut')
    assert helpers.upload(client, created['id'], data).status_code == 204
    assert client.get(path).content == data
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_second_upload_while_the_first_streams_gets_409(image, client):
    created = helpers.create(client, name='two-uploads')
    release = threading.Event()
    first = helpers.pattern(4 * MiB, seed='first')
    result = {}

    def slow_body():
        yield first[:MiB]
        assert release.wait(60)
        yield from helpers.chunks(first[MiB:])

    def upload_first():
        result['first'] = helpers.upload(client, created['id'], slow_body())

    thread = threading.Thread(target=upload_first)
    thread.start()
    try:
        _await_saving(client, created['id'])
        second = helpers.upload(image.client(client.token), created['id'],
                                helpers.pattern(MiB, seed='second'))
    finally:
        release.set()
        thread.join(120)
    assert second.status_code == 409, second.text
    assert 'saving' in second.json()['conflictingRequest']['message']
    assert result['first'].status_code == 204, result['first'].text
    shown = helpers.show(client, created['id'])
    assert (shown['status'], shown['size'], shown['os_hash_value']) == \
        ('active', len(first), helpers.digests(first)[1])
    assert client.get(f'/v2/images/{created["id"]}/file').content == first
    # Data is written once: an active image takes no further upload.
    again = helpers.upload(client, created['id'], b'x' * 1024)
    assert again.status_code == 409, again.text
    assert client.get(f'/v2/images/{created["id"]}/file').content == first
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


@pytest.mark.parametrize('round_', range(4))
def test_two_simultaneous_uploads_one_wins(image, client, round_):
    created = helpers.create(client, name=f'race-{round_}')
    bodies = [helpers.pattern(2 * MiB, seed=f'race-{round_}-{i}') for i in range(2)]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def run(index):
        own = image.client(client.token)
        own.get('/versions')  # connect before the race
        barrier.wait(30)
        responses[index] = helpers.upload(own, created['id'], bodies[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [204, 409], [r.text for r in responses]
    winner = bodies[codes.index(204)]
    shown = helpers.show(client, created['id'])
    assert (shown['status'], shown['os_hash_value']) == ('active', helpers.digests(winner)[1])
    assert client.get(f'/v2/images/{created["id"]}/file').content == winner
    assert helpers.partial_files(image.store_path) == []
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_stage_then_glance_direct_import(image, client):
    assert 'glance-direct' in client.get('/v2/info/import').json()['import-methods']['value']
    data = helpers.pattern(2 * MiB + 7, seed='stage')
    created = helpers.create(client, name='staged')

    staged = helpers.upload(client, created['id'], helpers.chunks(data), path='stage')
    assert staged.status_code == 204, staged.text
    shown = helpers.show(client, created['id'])
    assert shown['status'] == 'uploading'
    assert created['id'] in helpers.data_files(image.staging_path)
    assert client.get(f'/v2/images/{created["id"]}/file').status_code == 204  # no data yet

    started = client.post(f'/v2/images/{created["id"]}/import',
                          json={'method': {'name': 'glance-direct'}})
    assert started.status_code == 202, started.text
    shown = helpers.wait_for_status(client, created['id'], ('active', 'killed'))
    md5, sha512 = helpers.digests(data)
    assert (shown['status'], shown['size'], shown['checksum'], shown['os_hash_value']) == \
        ('active', len(data), md5, sha512)
    assert client.get(f'/v2/images/{created["id"]}/file').content == data
    assert created['id'] not in helpers.data_files(image.staging_path)
    assert created['id'] in helpers.data_files(image.store_path)
    # Importing again is a conflict, not a second copy.
    again = client.post(f'/v2/images/{created["id"]}/import',
                        json={'method': {'name': 'glance-direct'}})
    assert again.status_code == 409, again.text
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204
    assert created['id'] not in helpers.data_files(image.store_path)


def qcow2_with_backing_file(backing=b'/etc/passwd'):
    """A qcow2 v2 image whose header names a backing file (OSSA-2015-011)."""
    cluster_bits, cluster = 16, 1 << 16
    backing_offset = 72  # right after the version 2 header
    header = struct.pack('>4sIQIIQIIQQIIQ', b'QFI\xfb', 2, backing_offset, len(backing),
                         cluster_bits, 1 << 30, 0, 1, 3 * cluster, cluster, 1, 0, 0)
    image = bytearray(4 * cluster)
    image[:len(header)] = header
    image[backing_offset:backing_offset + len(backing)] = backing
    return bytes(image)


@pytest.mark.parametrize('disk_format, reason', [
    ('qcow2', 'qcow2 images with a backing file are not allowed'),
    ('raw', 'the data is qcow2 but disk_format is raw'),
])
def test_refused_image_is_killed_and_not_stored(image, client, disk_format, reason):
    created = helpers.create(client, name=f'refused-{disk_format}', disk_format=disk_format)
    refused = helpers.upload(client, created['id'], qcow2_with_backing_file())
    assert refused.status_code == 400, refused.text
    assert refused.headers['Content-Type'] == 'application/json'
    assert reason in refused.json()['badRequest']['message']
    shown = helpers.show(client, created['id'])
    assert shown['status'] == 'killed'
    assert (shown['size'], shown['checksum']) == (None, None)
    assert_nothing_stored(image, created['id'])
    assert client.get(f'/v2/images/{created["id"]}/file').status_code == 204
    # A killed image takes no more data; it can only be deleted.
    retry = helpers.upload(client, created['id'], helpers.pattern(MiB))
    assert retry.status_code == 409, retry.text
    assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_upload_needs_formats_and_a_known_image(client):
    bare = helpers.create(client, name='no-formats', disk_format=None, container_format=None)
    response = helpers.upload(client, bare['id'], b'abc')
    assert response.status_code == 400, response.text
    assert helpers.show(client, bare['id'])['status'] == 'queued'
    assert client.delete(f'/v2/images/{bare["id"]}').status_code == 204
    missing = helpers.upload(client, '00000000-0000-4000-8000-000000000000', b'abc')
    assert missing.status_code == 404

