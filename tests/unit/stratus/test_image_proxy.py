"""``conn.image`` against a fake HTTP transport: what is sent, and what is done with answers.

The fake sits where the socket would be (a ``requests`` transport adapter):
it consumes streamed bodies chunk by chunk as a socket would, so progress
callbacks fire as they do in real uploads.
"""
import hashlib
import io
import json
import os

import pytest
import requests
import urllib3
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from requests.structures import CaseInsensitiveDict

import stratus
from stratus import exceptions
from stratus.image import proxy, transfer
from stratus.image.exceptions import ChecksumMismatch, ImageFailed, WaitTimeout

ENDPOINT = 'http://image.test:9292'
IMAGE_ID = '6a1f1c4e-0d8a-4a52-9d39-8f3e2b1c0a11'


class FakeTransport(requests.adapters.BaseAdapter):
    """Answers each request with ``handler(request, body) -> (status, headers, content)``.

    ``sent`` records ``(method, url, headers, body bytes, chunk sizes)``.
    """

    def __init__(self, handler):
        super().__init__()
        self.handler = handler
        self.sent = []

    def send(self, request, **kwargs):
        body = request.body
        if body is None or isinstance(body, (bytes, str)):
            chunks = [body.encode() if isinstance(body, str) else body] if body else []
        else:
            chunks = list(body)  # a streamed body, taken as a socket would take it
        data = b''.join(chunks)
        self.sent.append((request.method, request.url, request.headers, data,
                          [len(c) for c in chunks]))
        status, headers, content = self.handler(request, data)
        if not isinstance(content, bytes):
            content = json.dumps(content).encode()
            headers = {'Content-Type': 'application/json', **headers}
        headers = {'Content-Length': str(len(content)), **headers}
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(content), headers=headers,
                                            status=status, preload_content=False)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


@pytest.fixture
def serve():
    """``serve(handler)``: a ``Connection`` whose requests ``handler`` answers; returns
    ``(conn, transport)``."""
    made = []

    def make(handler):
        transport = FakeTransport(handler)
        http = requests.Session()
        http.mount('http://', transport)
        session = ks_session.Session(auth=token_endpoint.Token(ENDPOINT, 'token'),
                                     session=http)
        conn = stratus.Connection(session=session)
        made.append(http)
        return conn, transport

    yield make
    for http in made:
        http.close()


def _image(**attrs):
    return {'id': IMAGE_ID, 'name': 'cirros', 'status': 'active', 'size': None,
            'checksum': None, 'os_hash_algo': None, 'os_hash_value': None, 'tags': [],
            **attrs}


def _with_data(data, **attrs):
    return _image(size=len(data), checksum=hashlib.md5(data).hexdigest(),
                  os_hash_algo='sha512', os_hash_value=hashlib.sha512(data).hexdigest(),
                  **attrs)


# --- JSON Patch ------------------------------------------------------------------------

def test_patch_operations_add_replace_remove_and_escaping():
    image = _image(os_distro='cirros')
    assert proxy.patch_operations(image, {'name': 'new', 'os_distro': 'ubuntu',
                                          'hw/disk~bus': 'scsi'}, ['old_key']) == [
        {'op': 'replace', 'path': '/name', 'value': 'new'},
        {'op': 'replace', 'path': '/os_distro', 'value': 'ubuntu'},
        {'op': 'add', 'path': '/hw~1disk~0bus', 'value': 'scsi'},
        {'op': 'remove', 'path': '/old_key'}]
    assert proxy.patch_operations(image) == []


def test_update_image_reads_an_id_first_and_sends_the_patch_media_type(serve):
    def handler(request, body):
        if request.method == 'GET':
            return 200, {}, _image(os_distro='cirros')
        return 200, {}, _image(name='renamed', os_distro='ubuntu', color='blue')
    conn, transport = serve(handler)
    updated = conn.image.update_image(IMAGE_ID, name='renamed', os_distro='ubuntu',
                                      color='blue')
    assert (updated.name, updated.color) == ('renamed', 'blue')
    (get, _, _, _, _), (method, url, headers, body, _) = transport.sent
    assert (get, method, url) == ('GET', 'PATCH', f'{ENDPOINT}/v2/images/{IMAGE_ID}')
    assert headers['Content-Type'] == 'application/openstack-images-v2.1-json-patch'
    assert json.loads(body) == [{'op': 'replace', 'path': '/name', 'value': 'renamed'},
                                {'op': 'replace', 'path': '/os_distro', 'value': 'ubuntu'},
                                {'op': 'add', 'path': '/color', 'value': 'blue'}]


def test_update_image_given_an_image_sends_only_the_patch(serve):
    conn, transport = serve(lambda request, body: (200, {}, _image(color='red')))
    conn.image.update_image(_image(color='blue'), color='red')
    [(method, _, _, body, _)] = transport.sent
    assert method == 'PATCH'
    assert json.loads(body) == [{'op': 'replace', 'path': '/color', 'value': 'red'}]


def test_remove_image_properties(serve):
    conn, transport = serve(lambda request, body: (200, {}, _image()))
    conn.image.remove_image_properties(IMAGE_ID, 'a', 'b/c')
    [(method, _, headers, body, _)] = transport.sent
    assert (method, headers['Content-Type']) == ('PATCH', proxy.PATCH_MEDIA_TYPE)
    assert json.loads(body) == [{'op': 'remove', 'path': '/a'},
                                {'op': 'remove', 'path': '/b~1c'}]


# --- listing and finding ---------------------------------------------------------------

def test_images_follow_glances_relative_next_links(serve):
    pages = {None: ({'images': [_image(id='a')], 'next': '/v2/images?limit=1&marker=a'}),
             'a': ({'images': [_image(id='b')], 'next': '/v2/images?limit=1&marker=b'}),
             'b': ({'images': []})}

    def handler(request, body):
        query = dict(p.split('=') for p in request.url.partition('?')[2].split('&'))
        return 200, {}, pages[query.get('marker')]
    conn, transport = serve(handler)
    assert [i.id for i in conn.image.images(limit=1, status='active')] == ['a', 'b']
    assert [url for _, url, _, _, _ in transport.sent] == [
        f'{ENDPOINT}/v2/images?limit=1&status=active',
        f'{ENDPOINT}/v2/images?limit=1&marker=a', f'{ENDPOINT}/v2/images?limit=1&marker=b']


def test_next_links_stay_under_an_endpoint_with_a_path():
    """Behind a proxy the image endpoint has a path (``http://h/image``): Glance's
    ``next`` is relative to the endpoint, not to the root of the host."""
    endpoint = 'http://image.test/image'
    pages = {None: {'images': [_image(id='a')], 'next': '/v2/images?limit=1&marker=a'},
             'a': {'images': []}}

    def handler(request, body):
        path, _, query = request.url.partition('?')
        if path != f'{endpoint}/v2/images':
            return 404, {}, {'itemNotFound': {'code': 404, 'message': path}}
        marker = dict(p.split('=') for p in query.split('&')).get('marker')
        return 200, {}, pages[marker]
    transport = FakeTransport(handler)
    http = requests.Session()
    http.mount('http://', transport)
    try:
        session = ks_session.Session(auth=token_endpoint.Token(endpoint, 'token'), session=http)
        conn = stratus.Connection(session=session)
        assert [i.id for i in conn.image.images(limit=1)] == ['a']
    finally:
        http.close()
    assert [url for _, url, _, _, _ in transport.sent] == [
        f'{endpoint}/v2/images?limit=1', f'{endpoint}/v2/images?limit=1&marker=a']


def test_find_image_by_id_then_by_name(serve):
    images = [_image(id='1', name='dup'), _image(id='2', name='dup'),
              _image(id='3', name='one'), _image(id='4', name='one-more')]

    def handler(request, body):
        path, _, query = request.url[len(ENDPOINT):].partition('?')
        if path == '/v2/images':
            name = query.partition('name=')[2]
            return 200, {}, {'images': [i for i in images if i['name'].startswith(name)]}
        found = [i for i in images if path == f"/v2/images/{i['id']}"]
        return (200, {}, found[0]) if found else (404, {}, {'message': 'no'})
    conn, _ = serve(handler)
    assert conn.image.find_image('3').name == 'one'
    assert conn.image.find_image('one').id == '3'
    with pytest.raises(exceptions.DuplicateResource):
        conn.image.find_image('dup')
    assert conn.image.find_image('none', ignore_missing=True) is None
    with pytest.raises(exceptions.NotFound, match="No image with a name or ID of 'none'"):
        conn.image.find_image('none')


# --- upload ----------------------------------------------------------------------------

def _accept_upload(request, body):
    return 204, {}, b''


def test_upload_from_a_path_sends_content_length_and_reports_progress(serve, tmp_path):
    data = os.urandom(2 * transfer.CHUNK_SIZE + 100)
    path = tmp_path / 'disk.raw'
    path.write_bytes(data)
    conn, transport = serve(_accept_upload)
    calls = []
    conn.image.upload_image_data(IMAGE_ID, path, progress=lambda *a: calls.append(a))
    [(method, url, headers, body, chunks)] = transport.sent
    assert (method, url) == ('PUT', f'{ENDPOINT}/v2/images/{IMAGE_ID}/file')
    assert headers['Content-Type'] == 'application/octet-stream'
    assert headers['Content-Length'] == str(len(data))
    assert 'Transfer-Encoding' not in headers
    assert body == data
    assert chunks == [transfer.CHUNK_SIZE, transfer.CHUNK_SIZE, 100]
    total = len(data)
    assert calls == [(transfer.CHUNK_SIZE, total), (2 * transfer.CHUNK_SIZE, total),
                     (total, total)]


def test_upload_from_an_open_file_sends_the_rest(serve, tmp_path):
    path = tmp_path / 'disk.raw'
    path.write_bytes(b'headerDATA')
    conn, transport = serve(_accept_upload)
    with open(path, 'rb') as stream:
        stream.read(6)
        conn.image.upload_image_data(IMAGE_ID, stream)
        assert not stream.closed
    [(_, _, headers, body, _)] = transport.sent
    assert (headers['Content-Length'], body) == ('4', b'DATA')


class _Pipe(io.RawIOBase):
    """A stream of unknown length, like standard input fed by a pipe."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, size=-1):
        return self._data.read(min(size, 1000))


def test_upload_of_unknown_size_is_chunked_and_reports_no_total(serve):
    data = os.urandom(2500)
    conn, transport = serve(_accept_upload)
    calls = []
    conn.image.stage_image_data(IMAGE_ID, _Pipe(data), progress=lambda *a: calls.append(a))
    [(_, url, headers, body, chunks)] = transport.sent
    assert url == f'{ENDPOINT}/v2/images/{IMAGE_ID}/stage'
    assert headers['Transfer-Encoding'] == 'chunked'
    assert 'Content-Length' not in headers
    assert (body, chunks) == (data, [1000, 1000, 500])
    assert calls == [(1000, None), (2000, None), (2500, None)]


def test_upload_with_a_size_sends_that_many_bytes_and_refuses_a_short_source(serve):
    conn, transport = serve(_accept_upload)
    conn.image.upload_image_data(IMAGE_ID, _Pipe(b'0123456789'), size=4)
    assert transport.sent[0][3] == b'0123'
    with pytest.raises(exceptions.SDKError, match='ended after 10 of the 20 bytes'):
        conn.image.upload_image_data(IMAGE_ID, _Pipe(b'0123456789'), size=20)


def test_upload_refuses_text_files(serve, tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('text')
    conn, transport = serve(_accept_upload)
    with open(path) as stream, pytest.raises(TypeError, match='binary mode'):
        conn.image.upload_image_data(IMAGE_ID, stream)
    assert transport.sent == []


def test_refused_upload_raises_the_servers_error(serve, tmp_path):
    path = tmp_path / 'disk.raw'
    path.write_bytes(b'data')
    conn, _ = serve(lambda request, body: (409, {}, {'conflictingRequest': {
        'message': 'Image status is active', 'code': 409}}))
    with pytest.raises(exceptions.Conflict, match='Image status is active'):
        conn.image.upload_image_data(IMAGE_ID, path)


# --- download --------------------------------------------------------------------------

def _serving(image, data, headers=None):
    def handler(request, body):
        if request.url.endswith('/file'):
            return 200, {'Content-Type': 'application/octet-stream', **(headers or {})}, data
        return 200, {}, image
    return handler


def test_download_verifies_sha512_and_reports_progress(serve, tmp_path):
    data = os.urandom(transfer.CHUNK_SIZE + 10)
    conn, transport = serve(_serving(_with_data(data), data))
    calls = []
    target = tmp_path / 'out.img'
    image = conn.image.download_image_data(IMAGE_ID, target,
                                           progress=lambda *a: calls.append(a))
    assert image.id == IMAGE_ID
    assert target.read_bytes() == data
    assert calls == [(transfer.CHUNK_SIZE, len(data)), (len(data), len(data))]
    assert [(m, u) for m, u, _, _, _ in transport.sent] == [
        ('GET', f'{ENDPOINT}/v2/images/{IMAGE_ID}'),
        ('GET', f'{ENDPOINT}/v2/images/{IMAGE_ID}/file')]
    assert os.listdir(tmp_path) == ['out.img']


@pytest.mark.parametrize('image', [
    _with_data(b'the real data'),
    _image(checksum=hashlib.md5(b'the real data').hexdigest()),  # no os_hash: MD5
], ids=['sha512', 'md5'])
def test_corrupt_download_to_a_path_raises_and_leaves_nothing(serve, tmp_path, image):
    conn, _ = serve(_serving(image, b'the fake data'))
    target = tmp_path / 'out.img'
    with pytest.raises(ChecksumMismatch, match=f'data of image {IMAGE_ID} does not match'):
        conn.image.download_image_data(IMAGE_ID, target)
    assert os.listdir(tmp_path) == []


def test_corrupt_download_keeps_an_existing_destination(serve, tmp_path):
    conn, _ = serve(_serving(_with_data(b'the real data'), b'the fake data'))
    target = tmp_path / 'out.img'
    target.write_bytes(b'previous')
    with pytest.raises(ChecksumMismatch):
        conn.image.download_image_data(IMAGE_ID, str(target))
    assert os.listdir(tmp_path) == ['out.img']
    assert target.read_bytes() == b'previous'


def test_download_falls_back_to_content_md5_and_writes_to_file_objects(serve):
    data = b'some data'
    good = {'Content-MD5': hashlib.md5(data).hexdigest()}
    conn, _ = serve(_serving(_image(), data, good))
    out = io.BytesIO()
    conn.image.download_image_data(IMAGE_ID, out)
    assert out.getvalue() == data and not out.closed
    conn, _ = serve(_serving(_image(), data, {'Content-MD5': hashlib.md5(b'x').hexdigest()}))
    with pytest.raises(ChecksumMismatch):
        conn.image.download_image_data(IMAGE_ID, io.BytesIO())


def test_download_of_an_image_without_data(serve, tmp_path):
    def handler(request, body):
        if request.url.endswith('/file'):
            return 204, {}, b''
        return 200, {}, _image(status='queued')
    conn, _ = serve(handler)
    with pytest.raises(exceptions.SDKError, match='has no data'):
        conn.image.download_image_data(IMAGE_ID, tmp_path / 'out')
    assert os.listdir(tmp_path) == []


def test_download_cut_short_is_an_sdk_error(serve, tmp_path):
    conn, _ = serve(_serving(_with_data(b'0123456789'), b'01234', {'Content-Length': '10'}))
    with pytest.raises(exceptions.SDKError, match=f'The download of image {IMAGE_ID} failed'):
        conn.image.download_image_data(IMAGE_ID, tmp_path / 'out')
    assert os.listdir(tmp_path) == []


# --- waiting ---------------------------------------------------------------------------

def test_wait_for_status(serve):
    statuses = iter(['uploading', 'importing', 'active'])
    conn, _ = serve(lambda request, body: (200, {}, _image(status=next(statuses))))
    assert conn.image.wait_for_status(IMAGE_ID, 'active', 5, interval=0).status == 'active'
    conn, _ = serve(lambda request, body: (200, {}, _image(status='killed')))
    with pytest.raises(ImageFailed, match='is killed'):
        conn.image.wait_for_status(IMAGE_ID, 'active', 5, interval=0)
    conn, _ = serve(lambda request, body: (200, {}, _image(status='importing')))
    with pytest.raises(WaitTimeout, match='still importing'):
        conn.image.wait_for_status(IMAGE_ID, 'active', 0.05, interval=0.01)


# --- members, tags, actions, information ---------------------------------------------

def test_calls_and_their_requests(serve):
    conn, transport = serve(lambda request, body: (
        200, {}, {'usage': {'image_count_total': {'limit': 10, 'usage': 1}}}
        if request.url.endswith('/usage') else {'member_id': 'p2', 'status': 'accepted'}))
    image = conn.image
    image.add_member(_image(), {'id': 'p2'})
    image.update_member(IMAGE_ID, 'p2', 'accepted')
    image.import_image(IMAGE_ID)
    image.add_tag(IMAGE_ID, 'a b')
    image.deactivate_image(IMAGE_ID)
    assert image.usage() == {'image_count_total': {'limit': 10, 'usage': 1}}
    base = f'{ENDPOINT}/v2/images/{IMAGE_ID}'
    assert [(m, u, json.loads(b) if b else None) for m, u, _, b, _ in transport.sent] == [
        ('POST', f'{base}/members', {'member': 'p2'}),
        ('PUT', f'{base}/members/p2', {'status': 'accepted'}),
        ('POST', f'{base}/import', {'method': {'name': 'glance-direct'}}),
        ('PUT', f'{base}/tags/a%20b', None),
        ('POST', f'{base}/actions/deactivate', None),
        ('GET', f'{ENDPOINT}/v2/info/usage', None)]
