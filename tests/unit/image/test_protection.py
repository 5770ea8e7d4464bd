"""Who may do what with images: the protection matrix (STYLE item 15).

Every test acts on an image of project P that is ``shared`` with project
Q (accepted), so that the personas cover each relation to it: the owner's
member, reader and (project-scoped) admin, a member and a reader of a
project it is shared with (Q), a project that cannot see it at all (R), a
role no policy knows, and the cloud admin.  Every persona is listed for
every API, so an extra allow fails a test as surely as a missing one.

Policy (``image.policies``) decides who may act at all (403); visibility
decides which images exist for the caller (404, never 403, so ids of other
projects' images are not confirmed); ownership decides who may change an
image its caller can see (403).

One image API serves the whole module (each test makes its own images), so
quotas are off and assertions on the stores look for the test's image only.
"""
import pytest

from tests.unit.image import factories as f
from tests.unit.image.fixtures import OTHER_PROJECT, PERSONAS, build_env

OWNERS = frozenset({'cloud_admin', 'project_admin', 'member'})
READERS_OF_P = OWNERS | {'reader'}
SEES_IT = READERS_OF_P | {'other_member', 'other_reader'}  # P's and Q's readers, the admin
WITH_READER_ROLE = frozenset(PERSONAS) - {'foo'}
WITH_MEMBER_ROLE = frozenset({'cloud_admin', 'project_admin', 'member', 'other_member',
                              'third_member'})


def matrix(allowed, ok=200, denied=403, hidden=404, **special):
    """``(persona, status)`` parameters for every persona.

    :param allowed: personas expected to get ``ok``.
    :param hidden: what a persona that cannot see the image gets
        (``third_member``) unless it is in ``allowed`` or lacks the role.
    :param special: ``persona=status`` for the exceptions.
    """
    unknown = (set(allowed) | set(special)) - set(PERSONAS)
    assert not unknown, f'not personas: {unknown}'
    params = []
    for persona in PERSONAS:
        if persona in special:
            status = special[persona]
        elif persona in allowed:
            status = ok
        elif persona == 'third_member' and hidden is not None:
            status = hidden
        else:
            status = denied
        params.append(pytest.param(persona, status, id=persona))
    return params


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    env = build_env(tmp_path_factory.mktemp('protection'), quota__image_count_total=-1,
                    quota__image_count_uploading=-1)
    yield env
    env.db.dispose()


@pytest.fixture
def image(api):
    """An image of project P, shared with project Q (accepted)."""
    image = f.make_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    return image


@pytest.fixture
def active(api):
    image = f.make_active_image(api)
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    return image


@pytest.fixture
def staged(api, image):
    response = api.put(f'/v2/images/{image["id"]}/stage', data=f.raw_data(),
                       content_type='application/octet-stream')
    assert response.status_code == 204
    return image


# --- images --------------------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix(WITH_READER_ROLE))
def test_list(api, image, persona, status):
    response = api.get('/v2/images', as_=persona)
    assert response.status_code == status
    if status == 200:
        listed = image['id'] in {i['id'] for i in response.json['images']}
        assert listed == (persona in SEES_IT)


@pytest.mark.parametrize('persona, status', matrix(SEES_IT))
def test_show(api, image, persona, status):
    assert api.get(f'/v2/images/{image["id"]}', as_=persona).status_code == status


@pytest.mark.parametrize('persona, status', matrix(WITH_MEMBER_ROLE, ok=201, hidden=None))
def test_create(api, persona, status):
    assert api.post('/v2/images', json={'name': 'x'}, as_=persona).status_code == status


@pytest.mark.parametrize('persona, status', matrix(OWNERS))
def test_update(api, image, persona, status):
    response = api.patch(f'/v2/images/{image["id"]}',
                         [{'op': 'replace', 'path': '/name', 'value': 'changed'}], as_=persona)
    assert response.status_code == status
    assert (f.show(api, image['id'])['name'] == 'changed') == (status == 200)


@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_delete(env, active, persona, status):
    api = env.api
    assert api.delete(f'/v2/images/{active["id"]}', as_=persona).status_code == status
    assert api.get(f'/v2/images/{active["id"]}', as_='cloud_admin').status_code == \
        (404 if status == 204 else 200)
    assert (active['id'] in env.store_files()) == (status != 204)


# --- data ----------------------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_upload(env, image, persona, status):
    response = f.upload(env.api, image['id'], f.raw_data(), as_=persona)
    assert response.status_code == status
    assert f.show(env.api, image['id'])['status'] == ('active' if status == 204 else 'queued')
    assert (image['id'] in env.store_files()) == (status == 204)


@pytest.mark.parametrize('persona, status', matrix(SEES_IT))
def test_download(api, active, persona, status):
    response = api.get(f'/v2/images/{active["id"]}/file', as_=persona)
    assert response.status_code == status
    if status == 200:
        assert response.data == f.raw_data()
    else:
        assert response.data != f.raw_data()


@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_stage(env, image, persona, status):
    response = env.api.put(f'/v2/images/{image["id"]}/stage', data=f.raw_data(), as_=persona,
                           content_type='application/octet-stream')
    assert response.status_code == status
    assert (image['id'] in env.staging_files()) == (status == 204)


@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=202))
def test_import(api, staged, persona, status):
    response = api.post(f'/v2/images/{staged["id"]}/import',
                        json={'method': {'name': 'glance-direct'}}, as_=persona)
    assert response.status_code == status
    f.join_import(staged['id'])
    assert f.show(api, staged['id'])['status'] == ('active' if status == 202 else 'uploading')


# --- tags ----------------------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_add_tag(api, image, persona, status):
    assert api.put(f'/v2/images/{image["id"]}/tags/t', as_=persona).status_code == status
    assert f.show(api, image['id'])['tags'] == (['t'] if status == 204 else [])


@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_remove_tag(api, persona, status):
    image = f.make_image(api, tags=['t'])
    f.share(api, image['id'], OTHER_PROJECT, member_as='other_member')
    assert api.delete(f'/v2/images/{image["id"]}/tags/t', as_=persona).status_code == status
    assert f.show(api, image['id'])['tags'] == ([] if status == 204 else ['t'])


# --- members -------------------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix(SEES_IT))
def test_list_members(api, image, persona, status):
    assert api.get(f'/v2/images/{image["id"]}/members', as_=persona).status_code == status


@pytest.mark.parametrize('persona, status', matrix(OWNERS))
def test_add_member(api, image, persona, status):
    response = api.post(f'/v2/images/{image["id"]}/members', json={'member': 'project-new'},
                        as_=persona)
    assert response.status_code == status


@pytest.mark.parametrize('persona, status', matrix({'cloud_admin', 'other_member'}))
def test_update_member(api, image, persona, status):
    response = api.put(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}',
                       json={'status': 'rejected'}, as_=persona)
    assert response.status_code == status
    member = api.get(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}').json
    assert member['status'] == ('rejected' if status == 200 else 'accepted')


@pytest.mark.parametrize('persona, status', matrix(OWNERS, ok=204))
def test_delete_member(api, image, persona, status):
    response = api.delete(f'/v2/images/{image["id"]}/members/{OTHER_PROJECT}', as_=persona)
    assert response.status_code == status
    visible = api.get(f'/v2/images/{image["id"]}', as_='other_member').status_code
    assert visible == (404 if status == 204 else 200)


# --- admin actions -------------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix({'cloud_admin'}, ok=204, hidden=403))
def test_deactivate(api, active, persona, status):
    response = api.post(f'/v2/images/{active["id"]}/actions/deactivate', as_=persona)
    assert response.status_code == status
    assert f.show(api, active['id'])['status'] == \
        ('deactivated' if status == 204 else 'active')


@pytest.mark.parametrize('persona, status', matrix({'cloud_admin'}, ok=204, hidden=403))
def test_reactivate(api, active, persona, status):
    assert api.post(f'/v2/images/{active["id"]}/actions/deactivate',
                    as_='cloud_admin').status_code == 204
    response = api.post(f'/v2/images/{active["id"]}/actions/reactivate', as_=persona)
    assert response.status_code == status
    assert f.show(api, active['id'])['status'] == \
        ('active' if status == 204 else 'deactivated')


@pytest.mark.parametrize('persona, status', matrix({'cloud_admin'}, ok=201, hidden=403))
def test_create_public(api, persona, status):
    response = api.post('/v2/images', json={'visibility': 'public'}, as_=persona)
    assert response.status_code == status


# --- info and schemas ----------------------------------------------------------

@pytest.mark.parametrize('persona, status', matrix(WITH_READER_ROLE))
@pytest.mark.parametrize('path', ['/v2/info/usage', '/v2/info/import', '/v2/info/stores',
                                  '/v2/schemas/image', '/v2/schemas/members'])
def test_info_and_schemas(api, path, persona, status):
    assert api.get(path, as_=persona).status_code == status


def test_no_token_is_401(api, image):
    for method, path in (('GET', '/v2/images'), ('GET', f'/v2/images/{image["id"]}'),
                         ('DELETE', f'/v2/images/{image["id"]}'),
                         ('PUT', f'/v2/images/{image["id"]}/file'),
                         ('GET', '/v2/info/usage')):
        assert api.request(method, path, as_=None).status_code == 401, (method, path)
