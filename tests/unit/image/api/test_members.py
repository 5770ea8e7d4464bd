"""``/v2/images/{id}/members``: sharing an image with other projects."""
import pytest

from tests.unit.image import factories as f
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT, THIRD_PROJECT


def members(api, image_id, as_='member'):
    return api.get(f'/v2/images/{image_id}/members', as_=as_)


def add(api, image_id, project, as_='member'):
    return api.post(f'/v2/images/{image_id}/members', json={'member': project}, as_=as_)


def set_status(api, image_id, project, status, as_):
    return api.put(f'/v2/images/{image_id}/members/{project}', json={'status': status}, as_=as_)


def test_add_member(api):
    image = f.make_image(api)
    response = add(api, image['id'], OTHER_PROJECT)
    assert response.status_code == 200
    body = response.json
    assert (body['image_id'], body['member_id'], body['status']) == \
        (image['id'], OTHER_PROJECT, 'pending')
    assert body['schema'] == '/v2/schemas/member'
    assert body['created_at'] and body['updated_at']
    response = api.get(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}')
    assert response.status_code == 200 and response.json == body


def test_add_accepts_the_whole_member_resource(api):
    """openstacksdk sends the member resource with its other keys."""
    image = f.make_image(api)
    response = api.post(f'/v2/images/{image["id"]}/members',
                        json={'member': OTHER_PROJECT, 'status': 'accepted', 'image_id': 'x'})
    assert response.status_code == 200
    assert response.json['status'] == 'pending'


def test_add_duplicate_member_is_409(api):
    image = f.make_image(api)
    assert add(api, image['id'], OTHER_PROJECT).status_code == 200
    assert add(api, image['id'], OTHER_PROJECT).status_code == 409


@pytest.mark.parametrize('visibility', ['private', 'public', 'community'])
def test_only_shared_images_have_members(api, visibility):
    image = f.make_image(api, as_='cloud_admin', owner=PROJECT, visibility=visibility)
    response = add(api, image['id'], OTHER_PROJECT)
    assert response.status_code == 403
    assert 'shared' in response.json['forbidden']['message']


def test_only_the_owner_adds_members(api):
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    assert add(api, image['id'], THIRD_PROJECT, as_='other_member').status_code == 403
    assert add(api, image['id'], THIRD_PROJECT, as_='third_member').status_code == 404
    assert add(api, image['id'], THIRD_PROJECT, as_='reader').status_code == 403
    assert add(api, image['id'], THIRD_PROJECT, as_='cloud_admin').status_code == 200


@pytest.mark.parametrize('body', [{}, {'member': ''}, {'member': 5}, {'member': 'x' * 65}])
def test_add_member_body_is_validated(api, body):
    image = f.make_image(api)
    assert api.post(f'/v2/images/{image["id"]}/members', json=body).status_code == 400


def test_owner_lists_all_members_a_member_only_itself(api):
    image = f.make_image(api)
    add(api, image['id'], OTHER_PROJECT)
    add(api, image['id'], THIRD_PROJECT)
    response = members(api, image['id'])
    assert response.status_code == 200
    assert response.json['schema'] == '/v2/schemas/members'
    assert {m['member_id'] for m in response.json['members']} == {OTHER_PROJECT, THIRD_PROJECT}
    assert {m['member_id'] for m in members(api, image['id'], as_='reader').json['members']} \
        == {OTHER_PROJECT, THIRD_PROJECT}
    seen = members(api, image['id'], as_='other_member').json['members']
    assert [m['member_id'] for m in seen] == [OTHER_PROJECT]
    assert [m['member_id'] for m in members(api, image['id'], as_='other_reader').json[
        'members']] == [OTHER_PROJECT]
    assert api.get(f'/v2/images/{image["id"]}/members/{THIRD_PROJECT}',
                   as_='other_member').status_code == 404
    assert len(members(api, image['id'], as_='cloud_admin').json['members']) == 2


def test_members_of_an_invisible_image_are_404(api):
    image = f.make_image(api)
    assert members(api, image['id'], as_='other_member').status_code == 404
    private = f.make_image(api, visibility='private')
    assert members(api, private['id'], as_='other_member').status_code == 404


def test_show_missing_member_is_404(api):
    image = f.make_image(api)
    assert api.get(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}').status_code == 404


def test_member_accepts_and_rejects(api):
    image = f.make_image(api)
    add(api, image['id'], OTHER_PROJECT)
    assert image['id'] not in _listed(api, 'other_member')
    response = set_status(api, image['id'], OTHER_PROJECT, 'accepted', as_='other_member')
    assert response.status_code == 200
    assert response.json['status'] == 'accepted'
    assert image['id'] in _listed(api, 'other_member')
    assert image['id'] in _listed(api, 'other_reader')
    response = set_status(api, image['id'], OTHER_PROJECT, 'rejected', as_='other_member')
    assert response.json['status'] == 'rejected'
    assert image['id'] not in _listed(api, 'other_member')
    assert set_status(api, image['id'], OTHER_PROJECT, 'pending',
                      as_='other_member').status_code == 200


def _listed(api, persona):
    return {i['id'] for i in api.get('/v2/images', as_=persona).json['images']}


def test_only_the_member_accepts(api):
    image = f.make_image(api)
    add(api, image['id'], OTHER_PROJECT)
    add(api, image['id'], THIRD_PROJECT)
    assert set_status(api, image['id'], OTHER_PROJECT, 'accepted', as_='member').status_code \
        == 403
    assert set_status(api, image['id'], OTHER_PROJECT, 'accepted',
                      as_='third_member').status_code == 403
    assert set_status(api, image['id'], OTHER_PROJECT, 'accepted',
                      as_='other_reader').status_code == 403
    assert set_status(api, image['id'], PROJECT, 'accepted', as_='member').status_code == 404
    assert api.get(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}').json['status'] == \
        'pending'


def test_member_status_is_validated(api):
    image = f.make_image(api)
    add(api, image['id'], OTHER_PROJECT)
    assert set_status(api, image['id'], OTHER_PROJECT, 'maybe',
                      as_='other_member').status_code == 400


def test_owner_removes_a_member_and_the_image_disappears_for_it(api):
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    assert api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code == 200
    path = f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}'
    assert api.delete(path, as_='other_member').status_code == 403
    assert api.delete(path, as_='reader').status_code == 403
    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 404
    assert api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code == 404
    assert image['id'] not in _listed(api, 'other_member')
    assert members(api, image['id']).json['members'] == []


def test_a_member_loses_access_when_the_image_stops_being_shared(api):
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    changes = [{'op': 'replace', 'path': '/visibility', 'value': 'private'}]
    assert api.patch(f'/v2/images/{image["id"]}', changes).status_code == 200
    assert api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code == 404
    assert image['id'] not in _listed(api, 'other_member')


def test_members_go_with_the_image(api):
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert members(api, image['id'], as_='other_member').status_code == 404
    assert image['id'] not in _listed(api, 'other_member')
