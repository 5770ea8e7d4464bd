"""Per-project image quotas, set with ``stratus-manage image quota-set``, over HTTP.

The byte quota is "enforced during the upload stream": the server cannot
know how large a chunked body is, so it must stop at the limit while the
data flows — shown here by a body that never ends yet gets its 413.  Counts
hold under concurrent requests, which is where MariaDB and PostgreSQL (row
locks) differ from SQLite (one writer at a time).
"""
import threading

from tests.functional.image import helpers
from tests.functional.image.helpers import MiB


def set_quota(image, project_id, **limits):
    args = ['quota-set', '--project', project_id]
    for name, value in limits.items():
        args += ['--' + name.replace('_', '-'), str(value)]
    image.manage(*args)


def usage(client):
    response = client.get('/v2/info/usage')
    assert response.status_code == 200, response.text
    return {name: (entry['usage'], entry['limit'])
            for name, entry in response.json()['usage'].items()}


def assert_413_over(response, resource):
    assert response.status_code == 413, response.text
    assert resource in response.json()['overLimit']['message']


def assert_queued_and_nothing_stored(image, client, image_id):
    shown = helpers.show(client, image_id)
    assert (shown['status'], shown['size'], shown['checksum']) == ('queued', None, None)
    assert helpers.partial_files(image.store_path) == []
    assert image_id not in helpers.data_files(image.store_path)


def test_byte_quota_stops_uploads_during_the_stream(image, make_account):
    account = make_account()
    client = image.client(account.token)
    set_quota(image, account.project_id, image_size_total=3 * MiB)
    assert usage(client)['image_size_total'] == (0, 3 * MiB)

    first = helpers.create(client, name='fits')
    assert helpers.upload(client, first['id'], helpers.pattern(2 * MiB)).status_code == 204

    second = helpers.create(client, name='too-big')
    over = helpers.pattern(2 * MiB, seed='over')
    assert_413_over(helpers.upload(client, second['id'], over), 'image_size_total')
    assert_queued_and_nothing_stored(image, client, second['id'])
    assert_413_over(helpers.upload(client, second['id'], helpers.chunks(over)),
                    'image_size_total')
    assert_queued_and_nothing_stored(image, client, second['id'])

    # A chunked body that never ends: only a check while it streams can answer it.
    # (The server reads 1 MiB at a time: 1 MiB is left, so 2 MiB and a bit
    # are more than it may take however the reads fall.)
    path = f'/v2/images/{second["id"]}/file'
    sock = helpers.raw_connection(image.url)
    try:
        sock.sendall(helpers.request_head('PUT', path, account.token,
                                          {'Transfer-Encoding': 'chunked'}))
        for piece in helpers.chunks(helpers.pattern(2 * MiB + 256 * 1024), 64 * 1024):
            sock.sendall(helpers.chunk_frame(piece))
        status, head = helpers.read_status(sock, timeout=60)
    finally:
        sock.close()
    assert status == 413, head[:500]
    assert_queued_and_nothing_stored(image, client, second['id'])

    now = usage(client)
    assert now['image_size_total'] == (2 * MiB, 3 * MiB)
    assert now['image_count_total'] == (2, 100)  # the configured default limit
    assert now['image_count_uploading'][0] == 0
    assert now['image_stage_total'][0] == 0
    # Exactly what is left still fits.
    rest = helpers.pattern(MiB, seed='rest')
    assert helpers.upload(client, second['id'], helpers.chunks(rest)).status_code == 204
    assert usage(client)['image_size_total'] == (3 * MiB, 3 * MiB)
    assert client.get(f'/v2/images/{second["id"]}/file').content == rest

    # Deleting frees the bytes.
    assert client.delete(f'/v2/images/{first["id"]}').status_code == 204
    assert usage(client)['image_size_total'] == (MiB, 3 * MiB)
    assert client.delete(f'/v2/images/{second["id"]}').status_code == 204
    assert usage(client)['image_size_total'] == (0, 3 * MiB)


def test_concurrent_uploads_never_exceed_the_byte_quota(image, make_account):
    account = make_account()
    client = image.client(account.token)
    set_quota(image, account.project_id, image_size_total=4 * MiB)
    images = [helpers.create(client, name=f'concurrent-{i}') for i in range(2)]
    bodies = [helpers.pattern(3 * MiB, seed=i) for i in range(2)]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def run(index):
        own = image.client(account.token)
        own.get('/versions')
        barrier.wait(30)
        responses[index] = helpers.upload(own, images[index]['id'], bodies[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    codes = sorted(r.status_code for r in responses)
    assert codes == [204, 413], [r.text for r in responses]
    statuses = sorted(helpers.show(client, i['id'])['status'] for i in images)
    assert statuses == ['active', 'queued']
    assert usage(client)['image_size_total'] == (3 * MiB, 4 * MiB)
    assert helpers.partial_files(image.store_path) == []
    for created in images:
        assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_image_count_quota_holds_under_concurrent_creates(image, make_account):
    account = make_account()
    set_quota(image, account.project_id, image_count_total=3)
    attempts = 12
    barrier = threading.Barrier(attempts)
    responses = [None] * attempts

    def run(index):
        own = image.client(account.token)
        own.get('/versions')
        barrier.wait(30)
        responses[index] = own.post('/v2/images', json={'name': f'count-{index}'})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [413] * (attempts - 3), [r.text for r in responses]
    for response in responses:
        if response.status_code == 413:
            assert 'image_count_total' in response.json()['overLimit']['message']

    client = image.client(account.token)
    listed = client.get('/v2/images', params={'owner': account.project_id}).json()['images']
    assert len(listed) == 3
    assert usage(client)['image_count_total'] == (3, 3)
    # Deleting one makes room for exactly one more.
    assert client.delete(f'/v2/images/{listed[0]["id"]}').status_code == 204
    assert client.post('/v2/images', json={'name': 'again'}).status_code == 201
    assert client.post('/v2/images', json={'name': 'one-too-many'}).status_code == 413


def test_concurrent_stages_never_exceed_the_staging_quota(image, make_account):
    """Each stage streams against the staging quota left when it began; the one
    that ends last must still find room for its bytes when it records them."""
    account = make_account()
    client = image.client(account.token)
    set_quota(image, account.project_id, image_stage_total=4 * MiB)
    slow, fast = (helpers.create(client, name=name) for name in ('slow', 'fast'))
    go = threading.Event()
    slow_response = []

    def slow_body():
        yield helpers.pattern(MiB, seed='slow')
        assert go.wait(60)
        yield helpers.pattern(2 * MiB, seed='slow-rest')

    def stage_slowly():
        own = image.client(account.token)
        slow_response.append(helpers.upload(own, slow['id'], slow_body(), path='stage'))

    thread = threading.Thread(target=stage_slowly)
    thread.start()
    try:
        assert helpers.wait_for_status(client, slow['id'], ['uploading'])['status'] == \
            'uploading'
        fast_response = helpers.upload(client, fast['id'], helpers.pattern(3 * MiB),
                                       path='stage')
        assert fast_response.status_code == 204, fast_response.text
    finally:
        go.set()
        thread.join(120)
    assert_413_over(slow_response[0], 'image_stage_total')
    assert helpers.show(client, slow['id'])['status'] == 'queued'
    assert helpers.data_files(image.staging_path) == [fast['id']]
    assert helpers.partial_files(image.staging_path) == []
    assert usage(client)['image_stage_total'] == (3 * MiB, 4 * MiB)
