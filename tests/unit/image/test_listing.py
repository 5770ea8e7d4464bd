"""``GET /v2/images``: visibility, filters, sorting and marker/limit paging
(``image.listing`` and ``image.visibility``, through the API)."""
import datetime
import urllib.parse

import pytest

from tests.unit.image import factories as f
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT, THIRD_PROJECT, build_env


def ids(api, query='', as_='member'):
    response = api.get(f'/v2/images{query}', as_=as_)
    assert response.status_code == 200, response.json
    return {i['id'] for i in response.json['images']}


def test_list_body(api):
    image = f.make_image(api)
    body = api.get('/v2/images').json
    assert body['first'] == '/v2/images'
    assert body['schema'] == '/v2/schemas/images'
    assert 'next' not in body
    assert body['images'] == [f.show(api, image['id'])]


# --- visibility ----------------------------------------------------------------

@pytest.fixture
def cast(api):
    """Images of project Q seen from project P, one per kind of visibility."""
    def make(**attrs):
        return f.make_image(api, as_='other_member', **attrs)['id']
    images = {
        'own': f.make_image(api)['id'],
        'own_private': f.make_image(api, visibility='private')['id'],
        'own_community': f.make_image(api, visibility='community')['id'],
        'public': f.make_image(api, as_='cloud_admin', visibility='public',
                               owner=OTHER_PROJECT)['id'],
        'community': make(visibility='community'),
        'private': make(visibility='private'),
        'shared_not_member': make(),
        'accepted': make(),
        'pending': make(),
        'rejected': make(),
    }
    for name, status in (('accepted', 'accepted'), ('pending', 'pending'),
                         ('rejected', 'rejected')):
        f.share(api, images[name], PROJECT, status=status, as_='other_member',
                member_as='member')
    return images


def _names(cast, *names):
    return {cast[n] for n in names}


def test_default_list_visibility(api, cast):
    assert ids(api) == _names(cast, 'own', 'own_private', 'own_community', 'public',
                              'accepted')
    assert ids(api, as_='reader') == ids(api)


@pytest.mark.parametrize('query, expected', [
    ('?member_status=pending', ('own', 'own_private', 'own_community', 'public', 'pending')),
    ('?member_status=rejected', ('own', 'own_private', 'own_community', 'public', 'rejected')),
    ('?member_status=all', ('own', 'own_private', 'own_community', 'public', 'accepted',
                            'pending', 'rejected')),
    ('?visibility=community', ('own_community', 'community')),
    ('?visibility=public', ('public',)),
    ('?visibility=private', ('own_private',)),
    ('?visibility=shared', ('own', 'accepted')),
    ('?visibility=shared&member_status=all', ('own', 'accepted', 'pending', 'rejected')),
    ('?visibility=all', ('own', 'own_private', 'own_community', 'public', 'accepted',
                         'community')),
])
def test_list_visibility_filters(api, cast, query, expected):
    assert ids(api, query) == _names(cast, *expected)


def test_other_projects_private_images_are_invisible(api, cast):
    assert cast['private'] not in ids(api, '?visibility=all&member_status=all')
    for image_id in (cast['private'], cast['shared_not_member']):
        assert api.get(f'/v2/images/{image_id}').status_code == 404
    # Pending and rejected shares can still be shown by id (the member may accept later).
    for name in ('pending', 'rejected', 'accepted', 'community', 'public'):
        assert api.get(f'/v2/images/{cast[name]}').status_code == 200, name


def test_a_project_with_nothing_shared(api, cast):
    assert ids(api, as_='third_member') == _names(cast, 'public')
    assert ids(api, '?visibility=community', as_='third_member') == \
        _names(cast, 'own_community', 'community')


def test_cloud_admin_lists_everything(api, cast):
    assert ids(api, as_='cloud_admin') == set(cast.values())
    assert ids(api, '?visibility=private', as_='cloud_admin') == \
        _names(cast, 'own_private', 'private')


@pytest.mark.parametrize('query', ['?visibility=everyone', '?member_status=maybe',
                                   '?os_hidden=perhaps', '?limit=x', '?limit=-1',
                                   '?size_min=big', '?min_ram=lots',
                                   '?created_at=2026-01-01', '?created_at=gte:yesterday',
                                   '?created_at=near:2026-01-01T00:00:00Z'])
def test_invalid_filters_are_400(api, query):
    assert api.get(f'/v2/images{query}').status_code == 400


# --- filters -------------------------------------------------------------------

def test_filters(api):
    a = f.make_active_image(api, name='alpha', data=f.raw_data(1000), tags=['x', 'y'],
                            os_distro='ubuntu', min_ram=128)
    b = f.make_active_image(api, name='beta', data=f.qcow2_data(), disk_format='qcow2',
                            container_format='ovf', tags=['x'], os_distro='fedora',
                            protected=True)
    c = f.make_image(api, name='alpha', os_hidden=True)
    d = f.make_image(api, name='delta', visibility='private')
    e = f.make_image(api, as_='cloud_admin', owner=OTHER_PROJECT, name='epsilon',
                     visibility='public')
    a, b, c, d, e = (i['id'] for i in (a, b, c, d, e))
    size_b = f.show(api, b)['size']
    assert ids(api, '?name=alpha') == {a}
    assert ids(api, '?status=active') == {a, b}
    assert ids(api, '?status=queued') == {d, e}
    assert ids(api, '?visibility=private') == {d}
    assert ids(api, f'?owner={PROJECT}') == {a, b, d}
    assert ids(api, f'?owner={OTHER_PROJECT}') == {e}
    assert ids(api, '?tag=x') == {a, b}
    assert ids(api, '?tag=x&tag=y') == {a}
    assert ids(api, '?tag=z') == set()
    assert ids(api, '?disk_format=qcow2') == {b}
    assert ids(api, '?container_format=bare') == {a, d, e}
    assert ids(api, '?size_min=1000') == {a, b}
    assert ids(api, f'?size_min=1001&size_max={size_b}') == {b}
    assert ids(api, '?size_max=1000') == {a}
    assert ids(api, '?os_hidden=true') == {c}
    assert ids(api, '?os_hidden=false&name=alpha') == {a}
    assert ids(api, f'?id=in:{a},{d},{c}') == {a, d}
    assert ids(api, f'?id={b}') == {b}
    assert ids(api, '?name=in:alpha,beta') == {a, b}
    assert ids(api, '?os_distro=ubuntu') == {a}
    assert ids(api, '?os_distro=ubuntu&name=beta') == set()
    assert ids(api, '?protected=true') == {b}
    assert ids(api, '?min_ram=128') == {a}
    assert ids(api, '?visibility=public') == {e}


def test_created_at_filter(api, env):
    old = f.make_image(api)['id']
    new = f.make_image(api)['id']
    f.force_state(env.backend, old, created_at=datetime.datetime(2020, 1, 1))
    assert ids(api, '?created_at=gte:2025-01-01T00:00:00Z') == {new}
    assert ids(api, '?created_at=lt:2025-01-01T00:00:00Z') == {old}
    assert ids(api, '?created_at=lte:2020-01-01T00:00:00Z') == {old}
    assert ids(api, '?created_at=gt:2020-01-01T01:00:00%2B02:00') == {new, old}
    assert ids(api, '?updated_at=gte:2025-01-01T00:00:00Z') == {new, old}


def test_deleted_images_are_not_listed(api):
    image = f.make_image(api)
    assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
    assert ids(api) == set()
    assert ids(api, '?status=deleted', as_='cloud_admin') == set()


# --- sort ----------------------------------------------------------------------

def _order(api, query, as_='member'):
    response = api.get(f'/v2/images{query}', as_=as_)
    assert response.status_code == 200, response.json
    return [i['name'] for i in response.json['images']]


@pytest.fixture
def named(api, env):
    """Images whose names, sizes and creation times disagree in order."""
    spec = [('b', 300, 3), ('a', 100, 1), ('c', 200, 2)]
    for name, size, day in spec:
        image = f.make_active_image(api, name=name, data=f.raw_data(size))
        f.force_state(env.backend, image['id'],
                      created_at=datetime.datetime(2026, 1, day))


@pytest.mark.parametrize('query, expected', [
    ('', ['b', 'c', 'a']),                                   # created_at desc
    ('?sort=name:asc', ['a', 'b', 'c']),
    ('?sort=name:desc', ['c', 'b', 'a']),
    ('?sort=name', ['c', 'b', 'a']),                         # desc by default
    ('?sort=size:asc,name:desc', ['a', 'c', 'b']),
    ('?sort_key=name&sort_dir=asc', ['a', 'b', 'c']),
    ('?sort_key=size', ['b', 'c', 'a']),
    ('?sort_key=created_at&sort_dir=asc', ['a', 'c', 'b']),
    ('?sort_key=size&sort_key=name&sort_dir=asc&sort_dir=desc', ['a', 'c', 'b']),
])
def test_sort(api, named, query, expected):
    assert _order(api, query) == expected


@pytest.mark.parametrize('query', ['?sort=color:asc', '?sort=name:up', '?sort_key=tags',
                                   '?sort_key=name&sort_dir=sideways',
                                   '?sort=name:asc&sort_key=name',
                                   '?sort_key=name&sort_dir=asc&sort_dir=desc'])
def test_invalid_sort_is_400(api, query):
    assert api.get(f'/v2/images{query}').status_code == 400


# --- paging --------------------------------------------------------------------

def _walk(api, first_query):
    """Follow ``next`` links from ``first_query``; returns every page's ids."""
    pages = []
    url = f'/v2/images{first_query}'
    while url:
        response = api.get(url, as_='member')
        assert response.status_code == 200, response.json
        pages.append([i['id'] for i in response.json['images']])
        url = response.json.get('next')
        if url:
            assert url.startswith('/v2/images?')
        assert len(pages) < 50
    return pages


@pytest.fixture(scope='module')
def paged(tmp_path_factory):
    """One image API for the read-only paging tests of this module."""
    env = build_env(tmp_path_factory.mktemp('paging'))
    yield env
    env.db.dispose()


@pytest.fixture(scope='module')
def many(paged):
    """17 images with repeated, missing (NULL) names and sizes and equal times."""
    api, env = paged.api, paged
    made = []
    for i in range(17):
        name = None if i % 4 == 0 else f'n{i % 3}'
        if i % 5 == 0:
            image = f.make_image(api, name=name)
        else:
            image = f.make_active_image(api, name=name, data=f.raw_data(100 + (i % 2)))
        f.force_state(env.backend, image['id'],
                      created_at=datetime.datetime(2026, 1, 1 + i % 3))
        made.append(image['id'])
    shared = f.make_image(api, as_='other_member')['id']
    f.share(api, shared, PROJECT, as_='other_member', member_as='member')
    f.make_image(api, as_='third_member')  # invisible to the member
    return made + [shared]


@pytest.mark.parametrize('sort', ['', 'sort=name:asc,created_at:desc', 'sort=name:desc',
                                  'sort=size:asc,name:desc,created_at:asc',
                                  'sort_key=size&sort_key=name&sort_dir=desc&sort_dir=asc',
                                  'sort=status:asc,id:desc', 'sort=created_at:asc'])
@pytest.mark.parametrize('limit', [1, 4, 18])
def test_paging_visits_every_image_once(paged, many, sort, limit):
    api = paged.api
    query = '?' + '&'.join(p for p in (sort, f'limit={limit}') if p)
    pages = _walk(api, query)
    seen = [i for page in pages for i in page]
    assert sorted(seen) == sorted(many)
    assert all(len(page) <= limit for page in pages)
    # The same order as one big page.
    single = api.get(f'/v2/images?{sort}&limit=1000').json['images']
    assert seen == [i['id'] for i in single]


def test_next_link_keeps_the_filters(api):
    for _ in range(3):
        f.make_image(api, name='same')
    f.make_image(api, name='other')
    response = api.get('/v2/images?name=same&limit=2&sort=name:asc')
    query = urllib.parse.parse_qs(urllib.parse.urlparse(response.json['next']).query)
    assert query['name'] == ['same'] and query['sort'] == ['name:asc']
    assert query['limit'] == ['2']
    assert len(_walk(api, '?name=same&limit=2')[0]) == 2
    assert sum(len(p) for p in _walk(api, '?name=same&limit=2')) == 3


def test_default_page_size(make_env):
    env = make_env(image__limit_param_default=2, api__max_limit=3)
    for _ in range(4):
        f.make_image(env.api)
    assert len(env.api.get('/v2/images').json['images']) == 2
    assert len(env.api.get('/v2/images?limit=100').json['images']) == 3


def test_invalid_marker_is_400(api):
    image = f.make_image(api, as_='third_member', visibility='private')
    assert api.get('/v2/images?marker=nonexistent').status_code == 400
    # A marker the caller may not see is as good as missing.
    assert api.get(f'/v2/images?marker={image["id"]}').status_code == 400
    deleted = f.make_image(api)
    assert api.delete(f'/v2/images/{deleted["id"]}').status_code == 204
    assert api.get(f'/v2/images?marker={deleted["id"]}').status_code == 400


def test_marker_of_the_last_image_gives_an_empty_page(api):
    image = f.make_image(api)
    assert api.get(f'/v2/images?marker={image["id"]}').json['images'] == []


@pytest.mark.parametrize('persona', ['member', 'other_member'])
def test_third_project_images_never_leak_through_paging(api, persona):
    for _ in range(3):
        f.make_image(api, as_='third_member', visibility='private')
    mine = {f.make_image(api, as_=persona)['id'] for _ in range(2)}
    seen = {i for page in _walk(api, '?limit=1') for i in page} if persona == 'member' \
        else ids(api, '?limit=1000', as_=persona)
    assert THIRD_PROJECT not in {f.show(api, i)['owner'] for i in seen}
    assert seen == mine


def test_limit_zero_is_an_empty_last_page(api):
    """Regression: ``limit=0`` made the next link from a page with no last image (500)."""
    f.make_image(api)
    response = api.get('/v2/images?limit=0')
    assert response.status_code == 200
    assert response.json['images'] == []
    assert 'next' not in response.json
