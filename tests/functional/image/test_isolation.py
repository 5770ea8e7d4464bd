"""Tenant isolation of images, with real tokens checked by keystonemiddleware.

Every account is a user of the session's identity API with a role in a
project of its own (``make_account``); the image API validates their
tokens against that identity API as it would in a deployment.  What one
project may not see does not exist for it (404, never 403); what it may
see but not change is 403.
"""
import json

import pytest

from tests.functional.image import helpers

PATCH = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}


def patch(client, image_id, *changes):
    return client.patch(f'/v2/images/{image_id}', data=json.dumps(list(changes)),
                        headers=PATCH)


def listed_ids(client, **params):
    response = client.get('/v2/images', params=params)
    assert response.status_code == 200, response.text
    return {image['id'] for image in response.json()['images']}


@pytest.fixture
def owner(image, make_account):
    account = make_account()
    account.images = image.client(account.token)
    return account


@pytest.fixture
def other(image, make_account):
    account = make_account()
    account.images = image.client(account.token)
    return account


@pytest.fixture
def uploaded(owner):
    """``uploaded(visibility)``: an active image of ``owner``'s project."""
    made = []

    def make(visibility):
        created = helpers.create(owner.images, name=f'isolation-{visibility}',
                                 visibility=visibility)
        assert helpers.upload(owner.images, created['id'], b'owned data').status_code == 204
        made.append(created['id'])
        return created
    yield make
    for image_id in made:
        owner.images.delete(f'/v2/images/{image_id}')


def test_private_image_does_not_exist_for_another_project(owner, other, admin, image,
                                                          uploaded):
    private = uploaded('private')
    path = f'/v2/images/{private["id"]}'
    assert helpers.show(owner.images, private['id'])['owner'] == owner.project_id

    assert other.images.get(path).status_code == 404
    assert other.images.get(f'{path}/file').status_code == 404
    assert other.images.get(f'{path}/members').status_code == 404
    assert patch(other.images, private['id'],
                 {'op': 'replace', 'path': '/name', 'value': 'stolen'}).status_code == 404
    assert helpers.upload(other.images, private['id'], b'x').status_code == 404
    assert other.images.delete(path).status_code == 404
    assert private['id'] not in listed_ids(other.images)
    assert private['id'] not in listed_ids(other.images, visibility='all')
    assert private['id'] not in listed_ids(other.images, owner=owner.project_id)
    # It is still there, untouched, for its owner and for the cloud admin.
    assert helpers.show(owner.images, private['id'])['name'] == 'isolation-private'
    assert image.client(admin.token).get(path).status_code == 200
    assert owner.images.get(f'{path}/file').content == b'owned data'


def test_shared_image_is_visible_once_added_and_listed_once_accepted(owner, other, uploaded):
    shared = uploaded('shared')
    path = f'/v2/images/{shared["id"]}'
    assert other.images.get(path).status_code == 404

    added = owner.images.post(f'{path}/members', json={'member': other.project_id})
    assert added.status_code == 200, added.text
    assert added.json()['status'] == 'pending'
    # Visible by id, and its data usable ...
    assert other.images.get(path).status_code == 200
    assert other.images.get(f'{path}/file').content == b'owned data'
    # ... but not listed until accepted (Glance's default member_status).
    assert shared['id'] not in listed_ids(other.images)
    assert shared['id'] in listed_ids(other.images, member_status='pending')
    # Only the member project decides.
    assert owner.images.put(f'{path}/members/{other.project_id}',
                            json={'status': 'accepted'}).status_code == 403
    accepted = other.images.put(f'{path}/members/{other.project_id}',
                                json={'status': 'accepted'})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()['status'] == 'accepted'
    assert shared['id'] in listed_ids(other.images)

    # A member uses the image; it does not own it.
    assert patch(other.images, shared['id'],
                 {'op': 'replace', 'path': '/name', 'value': 'mine'}).status_code == 403
    assert other.images.delete(path).status_code == 403
    assert other.images.post(f'{path}/members',
                             json={'member': owner.project_id}).status_code == 403
    assert helpers.show(owner.images, shared['id'])['name'] == 'isolation-shared'

    # Removed again: gone for the former member.
    assert owner.images.delete(f'{path}/members/{other.project_id}').status_code == 204
    assert other.images.get(path).status_code == 404
    assert shared['id'] not in listed_ids(other.images)


def test_only_a_cloud_admin_makes_an_image_public(owner, other, admin, image, uploaded):
    refused = owner.images.post('/v2/images', json={'name': 'public-by-member',
                                                    'visibility': 'public'})
    assert refused.status_code == 403, refused.text
    private = uploaded('private')
    assert patch(owner.images, private['id'],
                 {'op': 'replace', 'path': '/visibility', 'value': 'public'}).status_code == 403
    assert helpers.show(owner.images, private['id'])['visibility'] == 'private'
    assert other.images.get(f'/v2/images/{private["id"]}').status_code == 404

    admin_images = image.client(admin.token)
    published = patch(admin_images, private['id'],
                      {'op': 'replace', 'path': '/visibility', 'value': 'public'})
    assert published.status_code == 200, published.text
    assert published.json()['visibility'] == 'public'
    assert private['id'] in listed_ids(other.images)
    assert other.images.get(f'/v2/images/{private["id"]}/file').content == b'owned data'
    # Public is not owned: other projects still cannot change it.
    assert other.images.delete(f'/v2/images/{private["id"]}').status_code == 403

    created = admin_images.post('/v2/images', json={'name': 'public-by-admin',
                                                    'visibility': 'public'})
    assert created.status_code == 201, created.text
    assert admin_images.delete(f'/v2/images/{created.json()["id"]}').status_code == 204


def test_a_reader_reads_but_cannot_create_upload_or_delete(image, make_account, owner,
                                                           uploaded):
    reader = make_account(roles=('reader',), project_id=owner.project_id)
    images = image.client(reader.token)
    active = uploaded('private')
    queued = helpers.create(owner.images, name='for-the-reader')
    try:
        assert images.get(f'/v2/images/{active["id"]}').status_code == 200
        assert active['id'] in listed_ids(images)
        assert images.get(f'/v2/images/{active["id"]}/file').content == b'owned data'

        assert images.post('/v2/images', json={'name': 'by-reader'}).status_code == 403
        assert helpers.upload(images, queued['id'], b'reader data').status_code == 403
        assert helpers.upload(images, queued['id'], b'reader data',
                              path='stage').status_code == 403
        assert patch(images, active['id'],
                     {'op': 'replace', 'path': '/name', 'value': 'x'}).status_code == 403
        assert images.delete(f'/v2/images/{active["id"]}').status_code == 403
        assert helpers.show(owner.images, queued['id'])['status'] == 'queued'
        assert helpers.show(owner.images, active['id'])['status'] == 'active'
    finally:
        owner.images.delete(f'/v2/images/{queued["id"]}')


def test_requests_without_a_valid_token_are_401(image):
    anonymous = image.client(None)
    assert anonymous.get('/v2/images').status_code == 401
    assert image.client('not-a-token').get('/v2/images').status_code == 401
    assert helpers.upload(image.client('not-a-token'), 'whatever', b'x').status_code == 401
