"""``/v2/images``: create, show, delete, tags, deactivate/reactivate."""
import uuid

import pytest

from tests.unit.image import factories as f
from tests.unit.image.fixtures import ADMIN_PROJECT, OTHER_PROJECT, PROJECT


# --- create ------------------------------------------------------------------

def test_create_defaults(api):
    response = api.post('/v2/images', json={'name': 'cirros'})
    assert response.status_code == 201
    image = response.json
    assert response.headers['Location'] == f'/v2/images/{image["id"]}'
    assert image['status'] == 'queued'
    assert image['visibility'] == 'shared'
    assert image['owner'] == PROJECT
    assert image['protected'] is False and image['os_hidden'] is False
    assert image['min_disk'] == 0 and image['min_ram'] == 0
    assert image['tags'] == []
    for name in ('size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
                 'disk_format', 'container_format'):
        assert image[name] is None, name
    assert image['self'] == f'/v2/images/{image["id"]}'
    assert image['file'] == f'/v2/images/{image["id"]}/file'
    assert image['schema'] == '/v2/schemas/image'
    assert f.show(api, image['id'], as_='member') == image


def test_create_as_openstackclient_does_keeps_extra_properties(api):
    """``image create``: owner_specified.* extra string properties, top level."""
    response = api.post('/v2/images', json={
        'name': 'cirros', 'disk_format': 'qcow2', 'container_format': 'bare',
        'visibility': 'private', 'owner_specified.openstack.md5': '',
        'owner_specified.openstack.sha256': '',
        'owner_specified.openstack.object': 'images/cirros', 'os_distro': 'cirros',
        'tags': ['a', 'b'], 'min_ram': 64, 'protected': True})
    assert response.status_code == 201
    image = f.show(api, response.json['id'], as_='member')
    assert image['owner_specified.openstack.object'] == 'images/cirros'
    assert image['owner_specified.openstack.md5'] == ''
    assert image['os_distro'] == 'cirros'
    assert image['tags'] == ['a', 'b']
    assert (image['visibility'], image['min_ram'], image['protected']) == ('private', 64, True)


@pytest.mark.parametrize('value', [1, True, None, ['x'], {'a': 'b'}])
def test_create_with_non_string_extra_property_is_400(api, value):
    response = api.post('/v2/images', json={'name': 'x', 'os_distro': value})
    assert response.status_code == 400
    assert 'os_distro' in response.json['badRequest']['message']


def test_create_with_null_kernel_and_ramdisk_ids(api):
    """The schema lets kernel_id and ramdisk_id be null: no property, not a 500."""
    kernel = '11111111-2222-3333-4444-555555555555'
    response = api.post('/v2/images', json={'name': 'ami', 'kernel_id': None,
                                            'ramdisk_id': kernel})
    assert response.status_code == 201, response.json
    image = f.show(api, response.json['id'], as_='member')
    assert 'kernel_id' not in image
    assert image['ramdisk_id'] == kernel


def test_create_with_reserved_property_is_403(api):
    response = api.post('/v2/images', json={'name': 'x', 'os_glance_import_task': 'x'})
    assert response.status_code == 403
    assert 'reserved' in response.json['forbidden']['message']
    assert api.get('/v2/images').json['images'] == []


@pytest.mark.parametrize('name, value', [
    ('status', 'active'), ('checksum', 'abc'), ('os_hash_value', 'abc'),
    ('created_at', '2026-01-01T00:00:00Z'), ('self', '/v2/images/x'), ('locations', 'x'),
    ('size', 5), ('virtual_size', 5)])
def test_create_with_read_only_attribute_is_403(api, name, value):
    response = api.post('/v2/images', json={'name': 'x', name: value})
    assert response.status_code == 403, response.json
    assert 'read-only' in response.json['forbidden']['message']
    assert api.get('/v2/images', as_='cloud_admin').json['images'] == []


def test_create_with_explicit_id(api):
    image_id = str(uuid.uuid4())
    assert f.make_image(api, id=image_id)['id'] == image_id
    response = api.post('/v2/images', json={'id': image_id, 'name': 'again'})
    assert response.status_code == 409


def test_create_with_id_of_a_deleted_image_is_409(api):
    image = f.make_image(api)
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert api.post('/v2/images', json={'id': image['id']}).status_code == 409


def test_create_with_invalid_id_is_400(api):
    assert api.post('/v2/images', json={'id': '../etc'}).status_code == 400


@pytest.mark.parametrize('field, value', [('disk_format', 'floppy'),
                                          ('container_format', 'zip')])
def test_create_with_bad_format_names_the_field(api, field, value):
    response = api.post('/v2/images', json={'name': 'x', field: value})
    assert response.status_code == 400
    assert field in response.json['badRequest']['message']


def test_create_for_another_project_needs_an_admin(api):
    assert api.post('/v2/images', json={'owner': OTHER_PROJECT}).status_code == 403
    response = api.post('/v2/images', json={'owner': OTHER_PROJECT}, as_='cloud_admin')
    assert response.status_code == 201
    assert response.json['owner'] == OTHER_PROJECT


@pytest.mark.parametrize('persona, status', [('member', 403), ('project_admin', 403),
                                             ('cloud_admin', 201)])
def test_create_public_needs_a_cloud_admin(api, persona, status):
    assert api.post('/v2/images', json={'visibility': 'public'}, as_=persona).status_code == status


def test_owner_longer_than_a_project_id_is_400(api):
    """Regression: the schema allowed 255 characters for a 64-character column
    (SQLite stores it, MariaDB and PostgreSQL fail with a 500)."""
    response = api.post('/v2/images', json={'owner': 'x' * 65}, as_='cloud_admin')
    assert response.status_code == 400
    assert 'owner' in response.json['badRequest']['message']
    assert api.post('/v2/images', json={'owner': 'x' * 64}, as_='cloud_admin').status_code == 201


def test_create_community_by_a_member(api):
    assert f.make_image(api, visibility='community')['visibility'] == 'community'


def test_image_count_quota_is_413_and_creates_nothing(make_env):
    env = make_env(quota__image_count_total=2)
    api = env.api
    f.make_image(api)
    f.make_image(api)
    response = api.post('/v2/images', json={'name': 'third'})
    assert response.status_code == 413
    assert 'image_count_total' in response.json['overLimit']['message']
    assert len(api.get('/v2/images').json['images']) == 2
    # Another project has its own count; deleted images do not count.
    f.make_image(api, as_='other_member')
    first = api.get('/v2/images').json['images'][0]
    assert api.delete(f'/v2/images/{first["id"]}').status_code == 204
    f.make_image(api)


def test_create_rejects_a_body_that_is_not_an_object(api):
    assert api.post('/v2/images', data='[1]', content_type='application/json').status_code == 400
    assert api.post('/v2/images', data='{', content_type='application/json').status_code == 400


# --- show --------------------------------------------------------------------

def test_show_missing_image_is_404(api):
    assert api.get(f'/v2/images/{uuid.uuid4()}').status_code == 404


def test_name_lookup_is_404(api):
    """openstacksdk looks an image up by name with ``GET /v2/images/<name>`` first."""
    f.make_image(api, name='cirros')
    assert api.get('/v2/images/cirros').status_code == 404


@pytest.mark.parametrize('visibility, status', [('private', 404), ('shared', 404),
                                                ('community', 200), ('public', 200)])
def test_show_to_another_project_follows_visibility(api, visibility, status):
    image = f.make_image(api, as_='cloud_admin', owner=PROJECT, visibility=visibility)
    assert api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code == status
    assert api.get(f'/v2/images/{image["id"]}', as_='reader').status_code == 200
    assert api.get(f'/v2/images/{image["id"]}', as_='cloud_admin').status_code == 200


# --- delete ------------------------------------------------------------------

def test_delete_removes_the_data_and_the_image(env):
    api = env.api
    image = f.make_active_image(api)
    assert env.store_files() == [image['id']]
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert env.store_files() == []
    assert api.get(f'/v2/images/{image["id"]}').status_code == 404
    assert api.get(f'/v2/images/{image["id"]}', as_='cloud_admin').status_code == 404
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 404
    assert api.get('/v2/images', as_='cloud_admin').json['images'] == []
    assert f.row(env.backend, image['id']).status == 'deleted'


def test_data_is_removed_only_after_the_deletion_committed(env, monkeypatch):
    """If the deletion's transaction fails, the data stays with the live image."""
    api = env.api
    image = f.make_active_image(api)

    def fail(*args, **kwargs):
        raise RuntimeError('database went away')
    monkeypatch.setattr(env.backend.images, 'delete',
                        _then(env.backend.images.delete, fail))
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 500
    assert env.store_files() == [image['id']]
    assert f.show(api, image['id'])['status'] == 'active'
    monkeypatch.undo()
    assert api.get(f'/v2/images/{image["id"]}/file').data == f.raw_data()


def _then(original, after):
    """``original`` followed by ``after`` (which raises), in the same transaction."""
    def call(*args, **kwargs):
        original(*args, **kwargs)
        after()
    return call


def test_delete_protected_image_is_403(env):
    api = env.api
    image = f.make_active_image(api, protected=True)
    response = api.delete(f'/v2/images/{image["id"]}')
    assert response.status_code == 403
    assert 'protected' in response.json['forbidden']['message']
    assert env.store_files() == [image['id']]
    changes = [{'op': 'replace', 'path': '/protected', 'value': False}]
    assert api.patch(f'/v2/images/{image["id"]}', changes).status_code == 200
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204


def test_delete_by_a_member_of_a_shared_image_is_403(api):
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    assert api.delete(f'/v2/images/{image["id"]}', as_='other_member').status_code == 403
    assert api.delete(f'/v2/images/{image["id"]}', as_='third_member').status_code == 404
    assert f.show(api, image['id'])['status'] == 'queued'


def test_delete_queued_image_leaves_no_staged_data(env):
    api = env.api
    image = f.make_image(api)
    assert api.put(f'/v2/images/{image["id"]}/stage', data=f.raw_data(),
                   content_type='application/octet-stream').status_code == 204
    assert env.staging_files() == [image['id']]
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert env.staging_files() == []


# --- tags --------------------------------------------------------------------

def test_tags_add_and_remove(api):
    image = f.make_image(api, tags=['keep'])
    path = f'/v2/images/{image["id"]}/tags'
    assert api.put(f'{path}/new').status_code == 204
    assert api.put(f'{path}/new').status_code == 204  # idempotent
    assert f.show(api, image['id'])['tags'] == ['keep', 'new']
    assert api.delete(f'{path}/new').status_code == 204
    assert f.show(api, image['id'])['tags'] == ['keep']
    assert api.delete(f'{path}/new').status_code == 404
    assert api.put(f'{path}/{"x" * 256}').status_code == 400


def test_tags_of_another_projects_image(api):
    image = f.make_image(api, visibility='public', as_='cloud_admin', owner=PROJECT)
    path = f'/v2/images/{image["id"]}/tags/t'
    assert api.put(path, as_='other_member').status_code == 403
    private = f.make_image(api, visibility='private')
    assert api.put(f'/v2/images/{private["id"]}/tags/t', as_='other_member').status_code == 404


def test_tag_limit(api, monkeypatch):
    from image import images
    monkeypatch.setattr(images, 'MAX_TAGS', 2)
    image = f.make_image(api, tags=['a', 'b'])
    assert api.put(f'/v2/images/{image["id"]}/tags/c').status_code == 413
    assert api.put(f'/v2/images/{image["id"]}/tags/a').status_code == 204


# --- deactivate / reactivate ---------------------------------------------------

def test_deactivate_and_reactivate(api):
    image = f.make_active_image(api)
    actions = f'/v2/images/{image["id"]}/actions'
    assert api.post(f'{actions}/deactivate', as_='cloud_admin').status_code == 204
    assert f.show(api, image['id'])['status'] == 'deactivated'
    assert api.post(f'{actions}/deactivate', as_='cloud_admin').status_code == 204
    assert api.get(f'/v2/images/{image["id"]}/file').status_code == 403
    assert api.get(f'/v2/images/{image["id"]}/file', as_='cloud_admin').status_code == 200
    assert api.post(f'{actions}/reactivate', as_='cloud_admin').status_code == 204
    assert f.show(api, image['id'])['status'] == 'active'
    assert api.get(f'/v2/images/{image["id"]}/file').status_code == 200


@pytest.mark.parametrize('action', ['deactivate', 'reactivate'])
def test_deactivate_and_reactivate_are_for_cloud_admins(api, action):
    image = f.make_active_image(api)
    for persona in ('member', 'project_admin', 'reader'):
        response = api.post(f'/v2/images/{image["id"]}/actions/{action}', as_=persona)
        assert response.status_code == 403, persona


@pytest.mark.parametrize('action', ['deactivate', 'reactivate'])
def test_deactivate_in_wrong_status_is_403(api, action):
    image = f.make_image(api)
    response = api.post(f'/v2/images/{image["id"]}/actions/{action}', as_='cloud_admin')
    assert response.status_code == 403
    assert f.show(api, image['id'])['status'] == 'queued'


def test_admin_sees_images_of_every_project(api):
    image = f.make_image(api, visibility='private')
    assert f.show(api, image['id'], as_='cloud_admin')['owner'] == PROJECT
    mine = f.make_image(api, as_='cloud_admin')
    assert mine['owner'] == ADMIN_PROJECT
