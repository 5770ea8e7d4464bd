"""Concurrent changes of one image, on every database backend.

SQLite runs one writer at a time; MariaDB and PostgreSQL run them side by
side, and two requests that rewrite the same rows (an image's properties
and tags, its members) collided there: one got a 500 from a duplicate key,
or rewrote the rows from a stale read.  Each change now locks the image's
row first (``image.db.api.lock_image``), so racing requests are applied
one after the other and every loser gets the 4xx a sequential one would.
"""
import collections
import json
import threading
import uuid

import pytest

from image import conf as image_conf
from image import states
from image.backend import Backend
from image.db import api as db_api
from image.db import models
from image.visibility import Caller
from tests import servers
from tests.functional.image import helpers
from tests.unit import make_conf

PATCH = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}
RACERS = 8


def race(image, token, request):
    """``request(client, index)`` from ``RACERS`` threads at once; the status codes."""
    barrier = threading.Barrier(RACERS)
    responses = [None] * RACERS

    def run(index):
        client = image.client(token)
        client.get('/versions')  # connect before the start line
        barrier.wait(30)
        responses[index] = request(client, index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return responses


def codes(responses):
    return collections.Counter(r.status_code for r in responses)


@pytest.fixture
def owner(image, make_account):
    account = make_account()
    account.images = image.client(account.token)
    return account


def test_concurrent_patches_of_one_image_all_apply(image, owner):
    created = helpers.create(owner.images, name='patched')
    path = f'/v2/images/{created["id"]}'

    def patch(client, index):
        return client.patch(path, headers=PATCH, data=json.dumps([
            {'op': 'add', 'path': f'/racer_{index}', 'value': str(index)},
            {'op': 'replace', 'path': '/tags', 'value': ['a', f'tag-{index}']}]))

    responses = race(image, owner.token, patch)
    assert codes(responses) == {200: RACERS}, [r.text for r in responses]
    shown = helpers.show(owner.images, created['id'])
    # No change was lost: each one read what the ones before it wrote.
    expected = {f'racer_{i}': str(i) for i in range(RACERS)}
    assert {name: shown.get(name) for name in expected} == expected
    assert shown['tags'][0] == 'a' and len(shown['tags']) == 2


def test_sharing_with_one_project_concurrently_shares_once(image, owner, make_account):
    member = make_account()
    created = helpers.create(owner.images, name='shared', visibility='shared')
    path = f'/v2/images/{created["id"]}/members'

    responses = race(image, owner.token,
                     lambda client, _: client.post(path, json={'member': member.project_id}))
    assert codes(responses) == {200: 1, 409: RACERS - 1}, [r.text for r in responses]
    responses = race(image, owner.token,
                     lambda client, _: client.delete(f'{path}/{member.project_id}'))
    assert codes(responses) == {204: 1, 404: RACERS - 1}, [r.text for r in responses]
    assert owner.images.get(path).json()['members'] == []


def test_two_projects_creating_one_id_at_once(image, owner, make_account):
    second = make_account()
    image_id = str(uuid.uuid4())
    tokens = [owner.token, second.token]
    barrier = threading.Barrier(RACERS)
    responses = [None] * RACERS

    def run(index):
        client = image.client(tokens[index % 2])
        client.get('/versions')
        barrier.wait(30)
        responses[index] = client.post('/v2/images', json={'id': image_id, 'name': 'same'})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert codes(responses) == {201: 1, 409: RACERS - 1}, [r.text for r in responses]


def test_upload_count_quota_sees_a_claim_committed_while_waiting(database_backend, tmp_path,
                                                                 monkeypatch):
    """MariaDB's REPEATABLE READ fixes a snapshot at a transaction's first plain
    read.  A claim that read the image before it waited for the project's quota
    lock counted the uploads of a snapshot older than the claim it waited for,
    and two uploads passed a limit of one (``common.db.session.Database``).
    The claim below starts, then waits (where the quota lock would make it wait)
    until another claim of the project has committed: it must see it.
    """
    if database_backend == 'sqlite':
        pytest.skip('SQLite runs one writer transaction at a time: no claim can wait '
                    'inside another')
    with servers.database(database_backend, str(tmp_path)) as url:
        conf = make_conf(tmp_path, register=image_conf.register_opts,
                         database__connection=url, quota__image_count_uploading=1)
        backend = Backend(conf, allowed=lambda action: True)
        db = backend.db
        try:
            models.Base.metadata.create_all(db.engine)
            caller = Caller(project_id='project-p')
            with db.writer() as session:
                ids = [backend.images.create(session, caller, {
                    'name': f'race-{i}', 'disk_format': 'raw',
                    'container_format': 'bare'}).id for i in range(2)]

            second_waiting, first_committed = threading.Event(), threading.Event()
            lock_quota = db_api.lock_project_quota

            def lock_after_the_first_claim(session, project_id):
                if threading.current_thread().name == 'second-claim':
                    second_waiting.set()
                    assert first_committed.wait(30)
                return lock_quota(session, project_id)
            monkeypatch.setattr(db_api, 'lock_project_quota', lock_after_the_first_claim)

            outcome = {}

            def second_claim():
                try:
                    backend.data._claim(ids[1], caller, [states.QUEUED], states.SAVING,
                                        'image_size_total')
                    outcome['second'] = 'claimed'
                except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
                    outcome['second'] = type(exc).__name__

            thread = threading.Thread(target=second_claim, name='second-claim')
            thread.start()
            assert second_waiting.wait(30)
            backend.data._claim(ids[0], caller, [states.QUEUED], states.SAVING,
                                'image_size_total')
            first_committed.set()
            thread.join(60)
            assert outcome == {'second': 'QuotaExceeded'}
            with db.reader() as session:
                assert sorted(session.get(models.Image, i).status for i in ids) == \
                    ['queued', 'saving']
        finally:
            db.dispose()


def test_new_projects_creating_their_first_images_at_once(image, make_account):
    """Each project's quota row is made by its first request; on MariaDB, making
    several at once must not deadlock (they may fall in one gap of the index)."""
    accounts = [make_account() for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    responses = [None] * RACERS

    def run(index):
        client = image.client(accounts[index].token)
        client.get('/versions')
        barrier.wait(30)
        responses[index] = client.post('/v2/images', json={'name': f'first-{index}'})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert codes(responses) == {201: RACERS}, [r.text for r in responses]
