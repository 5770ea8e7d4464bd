"""``PATCH /v2/images/{id}``: JSON Patch in the two dialects clients send."""
import pytest

from tests.unit.image import factories as f
from tests.unit.image.fixtures import OTHER_PROJECT, PATCH_V20, PATCH_V21


def _op(dialect, op, path, value=None, with_value=True):
    """One change in the RFC 6902 (2.1) or old Glance (2.0) dialect."""
    change = {'op': op, 'path': path} if dialect == PATCH_V21 else {op: path}
    if with_value:
        change['value'] = value
    return change


@pytest.fixture(params=[PATCH_V21, PATCH_V20], ids=['v2.1', 'v2.0'])
def dialect(request):
    return request.param


@pytest.fixture
def patch(api, dialect):
    """``patch(image_id, (op, path[, value]), …, as_=…)`` in the dialect under test."""
    def run(image_id, *changes, as_='member'):
        body = [_op(dialect, c[0], c[1], *c[2:], with_value=len(c) > 2) for c in changes]
        return api.patch(f'/v2/images/{image_id}', body, content_type=dialect, as_=as_)
    return run


def test_replace_add_remove_core_and_free_properties(api, patch):
    image = f.make_image(api, os_distro='cirros')
    response = patch(image['id'], ('replace', '/name', 'renamed'), ('add', '/min_ram', 512),
                     ('replace', '/protected', True), ('add', '/hw_disk_bus', 'virtio'),
                     ('replace', '/os_distro', 'ubuntu'), ('replace', '/os_hidden', True),
                     ('replace', '/container_format', 'ovf'))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body['name'], body['min_ram'], body['protected'], body['os_hidden']) == \
        ('renamed', 512, True, True)
    assert (body['hw_disk_bus'], body['os_distro'], body['container_format']) == \
        ('virtio', 'ubuntu', 'ovf')
    assert f.show(api, image['id']) == body
    response = patch(image['id'], ('remove', '/hw_disk_bus'), ('add', '/os_distro', 'debian'))
    assert response.status_code == 200
    assert 'hw_disk_bus' not in response.json
    assert response.json['os_distro'] == 'debian'


def test_add_replaces_an_existing_property_and_name_may_be_null(patch, api):
    image = f.make_image(api, os_distro='cirros')
    response = patch(image['id'], ('add', '/os_distro', 'fedora'), ('replace', '/name', None))
    assert response.status_code == 200
    assert (response.json['os_distro'], response.json['name']) == ('fedora', None)


def test_null_kernel_or_ramdisk_id_unsets_it(api, patch):
    kernel = '11111111-2222-3333-4444-555555555555'
    image = f.make_image(api, kernel_id=kernel, ramdisk_id=kernel)
    response = patch(image['id'], ('add', '/kernel_id', None), ('replace', '/ramdisk_id', None))
    assert response.status_code == 200, response.json
    assert 'kernel_id' not in response.json and 'ramdisk_id' not in response.json
    response = patch(image['id'], ('add', '/kernel_id', None))  # unset already: nothing to do
    assert response.status_code == 200, response.json
    assert 'kernel_id' not in f.show(api, image['id'])
    assert patch(image['id'], ('replace', '/kernel_id', None)).status_code == 409


@pytest.mark.parametrize('op', ['replace', 'remove'])
def test_replace_or_remove_missing_property_is_409(api, patch, op):
    image = f.make_image(api)
    change = (op, '/os_distro', 'x') if op == 'replace' else (op, '/os_distro')
    assert patch(image['id'], change).status_code == 409


def test_changes_apply_all_or_nothing(api, patch):
    image = f.make_image(api, name='before')
    response = patch(image['id'], ('replace', '/name', 'after'), ('remove', '/missing'))
    assert response.status_code == 409
    assert f.show(api, image['id'])['name'] == 'before'


@pytest.mark.parametrize('path', ['/name', '/visibility', '/min_ram', '/protected', '/owner',
                                  '/disk_format'])
def test_removing_a_core_attribute_is_403(api, patch, path):
    image = f.make_image(api)
    response = patch(image['id'], ('remove', path))
    assert response.status_code == 403
    assert f.show(api, image['id']) == image


@pytest.mark.parametrize('path, value', [('/status', 'active'), ('/id', 'x'),
                                         ('/checksum', 'x'), ('/size', 1), ('/self', 'x'),
                                         ('/os_hash_algo', 'md5'), ('/created_at', 'x')])
def test_changing_a_read_only_attribute_is_403(api, patch, path, value):
    image = f.make_image(api)
    response = patch(image['id'], ('replace', path, value))
    assert response.status_code == 403, response.json
    assert 'read-only' in response.json['forbidden']['message']


def test_reserved_property_is_403(api, patch):
    image = f.make_image(api)
    assert patch(image['id'], ('add', '/os_glance_foo', 'x')).status_code == 403


@pytest.mark.parametrize('path, value', [('/min_ram', 'big'), ('/min_disk', -1),
                                         ('/os_distro', 5), ('/visibility', 'everyone'),
                                         ('/disk_format', 'floppy'), ('/protected', 'yes'),
                                         ('/tags', 'notalist')])
def test_invalid_values_are_400(api, patch, path, value):
    image = f.make_image(api)
    assert patch(image['id'], ('replace', path, value)).status_code == 400


@pytest.mark.parametrize('body', [
    {'op': 'replace', 'path': '/name', 'value': 'x'},       # not a list
    [{'op': 'move', 'path': '/name', 'from': '/x'}],        # unsupported op
    [{'op': 'replace', 'path': 'name', 'value': 'x'}],      # not a pointer
    [{'op': 'replace', 'path': '/a/b', 'value': 'x'}],      # nested
    [{'op': 'replace', 'path': '/name'}],                   # no value
    [{'replace': '/name', 'add': '/x', 'value': 'x'}],      # two ops (2.0 dialect)
    ['replace'],
])
def test_malformed_patches_are_400(api, body):
    image = f.make_image(api)
    assert api.patch(f'/v2/images/{image["id"]}', body).status_code == 400


def test_escaped_pointer(api, patch):
    image = f.make_image(api)
    response = patch(image['id'], ('add', '/a~1b~0c', 'x'))
    assert response.status_code == 200
    assert response.json['a/b~c'] == 'x'


@pytest.mark.parametrize('content_type', ['application/json', 'application/json-patch+json',
                                          'text/plain'])
def test_wrong_media_type_is_415(api, content_type):
    image = f.make_image(api)
    response = api.patch(f'/v2/images/{image["id"]}',
                         [{'op': 'replace', 'path': '/name', 'value': 'x'}],
                         content_type=content_type)
    assert response.status_code == 415


def test_disk_format_change_after_upload_is_403(api, patch):
    image = f.make_active_image(api)
    response = patch(image['id'], ('replace', '/disk_format', 'qcow2'))
    assert response.status_code == 403
    assert patch(image['id'], ('replace', '/container_format', 'ovf')).status_code == 403
    assert f.show(api, image['id'])['disk_format'] == 'raw'
    # Other attributes of an active image may still change.
    assert patch(image['id'], ('replace', '/name', 'still-ok')).status_code == 200


def test_disk_format_change_while_queued(api, patch):
    image = f.make_image(api, disk_format=None)
    response = patch(image['id'], ('add', '/disk_format', 'qcow2'))
    assert response.status_code == 200
    assert response.json['disk_format'] == 'qcow2'


@pytest.mark.parametrize('persona, status', [('member', 403), ('project_admin', 403),
                                             ('cloud_admin', 200)])
def test_making_an_image_public(api, patch, persona, status):
    image = f.make_image(api)
    assert patch(image['id'], ('replace', '/visibility', 'public'), as_=persona).status_code \
        == status
    expected = 'public' if status == 200 else 'shared'
    assert f.show(api, image['id'])['visibility'] == expected


def test_visibility_changes_a_member_may_make(api, patch):
    image = f.make_image(api)
    for visibility in ('private', 'community', 'shared'):
        response = patch(image['id'], ('replace', '/visibility', visibility))
        assert response.status_code == 200
        assert response.json['visibility'] == visibility


def test_a_public_image_stays_public_on_a_no_op_patch(api, patch):
    image = f.make_image(api, visibility='public', as_='cloud_admin',
                         owner='project-p')
    response = patch(image['id'], ('replace', '/visibility', 'public'),
                     ('replace', '/name', 'x'))
    assert response.status_code == 200


@pytest.mark.parametrize('persona, status', [('member', 403), ('project_admin', 403),
                                             ('cloud_admin', 200)])
def test_owner_change_is_for_admins(api, patch, persona, status):
    image = f.make_image(api)
    assert patch(image['id'], ('replace', '/owner', OTHER_PROJECT), as_=persona).status_code \
        == status
    if status == 200:
        assert api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code == 200
        assert api.get(f'/v2/images/{image["id"]}', as_='member').status_code == 404


def test_tags_via_patch(api, patch):
    image = f.make_image(api, tags=['old'])
    response = patch(image['id'], ('replace', '/tags', ['b', 'a']))
    assert response.status_code == 200
    assert sorted(response.json['tags']) == ['a', 'b']
    response = patch(image['id'], ('add', '/tags', ['c']))
    assert response.json['tags'] == ['c']
    assert patch(image['id'], ('remove', '/tags')).status_code == 403
    assert patch(image['id'], ('replace', '/tags', ['x', 'x'])).status_code == 400


def test_patch_of_another_projects_image(api, patch):
    public = f.make_image(api, visibility='public', as_='cloud_admin', owner='project-p')
    assert patch(public['id'], ('replace', '/name', 'x'), as_='other_member').status_code == 403
    private = f.make_image(api, visibility='private')
    assert patch(private['id'], ('replace', '/name', 'x'), as_='other_member').status_code \
        == 404
    shared = f.make_image(api)
    f.share(api, shared['id'], OTHER_PROJECT, member_as='other_member')
    assert patch(shared['id'], ('replace', '/name', 'x'), as_='other_member').status_code == 403
    assert f.show(api, shared['id'])['name'] == shared['name']


def test_patch_of_a_deleted_image_is_404(api, patch):
    image = f.make_image(api)
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert patch(image['id'], ('replace', '/name', 'x')).status_code == 404


def test_patches_do_not_grow_the_validator_cache(api):
    """Regression: every PATCH built a new schema, and the compiled-validator
    cache of ``common.wsgi.validation`` kept each one for ever (a leak)."""
    from common.wsgi import validation
    image = f.make_image(api)
    path = f'/v2/images/{image["id"]}'

    def change(i):
        return [{'op': 'replace', 'path': '/name', 'value': f'n{i}'},
                {'op': 'add', 'path': f'/prop_{i}', 'value': 'v'}]
    assert api.patch(path, change(0)).status_code == 200
    before = len(validation._validators)
    for i in range(1, 6):
        assert api.patch(path, change(i)).status_code == 200
    assert len(validation._validators) == before
