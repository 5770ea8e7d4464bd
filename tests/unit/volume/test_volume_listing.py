"""``GET /volumes`` and ``/volumes/detail``: filters, sorting, pages, counts, all tenants."""
import urllib.parse

import pytest

from volume import states


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [v['id'] for v in response.get_json()['volumes']]


@pytest.fixture
def three(env, api):
    """Volumes a (1 GiB, bootable, metadata k=v), b (2 GiB, error), c (3 GiB), oldest first."""
    a = api.volume(name='a', size=1, metadata={'k': 'v'})
    b = api.volume(name='b', size=2)
    c = api.volume(name='c', size=3)
    env.update_volume(a['id'], bootable=True, status=states.AVAILABLE)
    env.update_volume(b['id'], status=states.ERROR)
    env.update_volume(c['id'], status=states.AVAILABLE)
    return a['id'], b['id'], c['id']


def test_summary_and_detail_newest_first(api, three):
    a, b, c = three
    summary = api.get('volumes').get_json()
    assert [v['id'] for v in summary['volumes']] == [c, b, a]
    assert set(summary['volumes'][0]) == {'id', 'name', 'links'}
    assert 'volumes_links' not in summary
    detail = api.get('volumes/detail').get_json()['volumes']
    assert [v['id'] for v in detail] == [c, b, a]
    assert detail[0]['os-vol-tenant-attr:tenant_id'] == 'project-p'


@pytest.mark.parametrize('query, expected', [
    ('name=a', 'a'), ('status=error', 'b'), ('size=3', 'c'),
    ("metadata={'k': 'v'}", 'a'), ('bootable=true', 'a'), ('bootable=False', 'cb'),
    ('availability_zone=nova', 'cba'), ('availability_zone=moon', ''),
    ('name=a&status=error', ''),
])
def test_filters(api, three, query, expected):
    names = dict(zip('abc', three))
    assert _ids(api.get(f'volumes/detail?{query}', version='3.2')) == \
        [names[n] for n in expected]


def test_bootable_filter_before_3_2_takes_any_value_as_true(api, three):
    a = three[0]
    assert _ids(api.get('volumes?bootable=whatever')) == [a]
    assert api.get('volumes?bootable=whatever', version='3.2').status_code == 400


def test_like_filters_from_3_34(api, three):
    api.volume(name='a_b%')
    assert len(_ids(api.get('volumes?name~=a', version='3.34'))) == 2
    assert len(_ids(api.get('volumes?name~=_b%', version='3.34'))) == 1
    assert len(_ids(api.get('volumes?name~=a', version='3.33'))) == 4  # ignored


def test_time_filters_from_3_60(env, api, three):
    assert len(_ids(api.get('volumes?created_at=gt:2000-01-01T00:00:00', version='3.60'))) == 3
    assert _ids(api.get('volumes?created_at=lt:2000-01-01T00:00:00', version='3.60')) == []
    assert api.get('volumes?created_at=soon:2000', version='3.60').status_code == 400
    assert api.get('volumes?created_at=gt:yesterday', version='3.60').status_code == 400


def test_unknown_filters_are_ignored(api, three):
    assert len(_ids(api.get('volumes?bogus=1&host=h1'))) == 3


def test_bad_filter_values_are_400(api, three):
    for query in ('metadata=notadict', 'metadata={1', 'size=big'):
        response = api.get(f'volumes?{query}')
        assert response.status_code == 400, query
        assert 'badRequest' in response.get_json()


def test_group_filter_matches_nothing(api, three):
    assert _ids(api.get('volumes?group_id=g1', version='3.10')) == []


def test_consumes_quota_filter_from_3_65(env, api, three):
    env.update_volume(three[0], use_quota=False)
    assert _ids(api.get('volumes?consumes_quota=false', version='3.65')) == [three[0]]


@pytest.mark.parametrize('query, order', [
    ('sort=size:asc', 'abc'), ('sort=name:desc', 'cba'), ('sort_key=size&sort_dir=asc', 'abc'),
    ('sort=status:asc,size:desc', 'cab'), ('sort=name', 'cba'),
])
def test_sorting(api, three, query, order):
    names = dict(zip('abc', three))
    assert _ids(api.get(f'volumes?{query}')) == [names[n] for n in order]


@pytest.mark.parametrize('query', ['sort=bogus', 'sort=size:sideways', 'sort_key=x',
                                   'sort=size&sort_key=size', 'limit=x', 'limit=-1',
                                   'offset=-2'])
def test_bad_paging_is_400(api, three, query):
    response = api.get(f'volumes?{query}')
    assert response.status_code == 400
    assert response.get_json()['badRequest']['code'] == 400


def test_pages_with_next_links(api, three):
    a, b, c = three
    first = api.get('volumes/detail?limit=2&sort=size:asc').get_json()
    assert [v['id'] for v in first['volumes']] == [a, b]
    (link,) = first['volumes_links']
    assert link['rel'] == 'next'
    url = urllib.parse.urlparse(link['href'])
    assert url.path == '/v3/project-p/volumes/detail'
    query = urllib.parse.parse_qs(url.query)
    assert query == {'limit': ['2'], 'sort': ['size:asc'], 'marker': [b]}
    second = api.get(f'volumes/detail?{url.query}').get_json()
    assert [v['id'] for v in second['volumes']] == [c]
    assert 'volumes_links' not in second


def test_page_size_is_capped_by_max_limit(make_env):
    env = make_env(api__max_limit=2)
    for _ in range(3):
        env.api.volume()
    body = env.api.get('volumes?limit=50').get_json()
    assert len(body['volumes']) == 2 and body['volumes_links']
    body = env.api.get('volumes').get_json()
    assert len(body['volumes']) == 2
    assert 'limit=2' in body['volumes_links'][0]['href']


def test_offset_applies_to_its_page_only(api, three):
    assert _ids(api.get('volumes?sort=size:asc&offset=1')) == list(three[1:])
    page = api.get('volumes?sort=size:asc&offset=1&limit=1').get_json()
    assert [v['id'] for v in page['volumes']] == [three[1]]
    next_query = urllib.parse.urlparse(page['volumes_links'][0]['href']).query
    assert 'offset' not in next_query
    assert _ids(api.get(f'volumes?{next_query}')) == [three[2]]


def test_unknown_marker_is_404(api, three):
    assert api.get('volumes?marker=nope').status_code == 404


def test_count_from_3_45(api, three):
    body = api.get('volumes?with_count=true&limit=1', version='3.45').get_json()
    assert body['count'] == 3 and len(body['volumes']) == 1
    assert 'count' not in api.get('volumes?with_count=true', version='3.44').get_json()
    assert api.get('volumes?with_count=maybe', version='3.45').status_code == 400


def test_deleted_volumes_are_not_listed(env, api, three):
    env.update_volume(three[0], status='deleted', deleted_at=env.volume_row(three[0]).created_at)
    assert three[0] not in _ids(api.get('volumes'))


def test_all_tenants_is_for_cloud_admins(env, api, three):
    theirs = api.volume(as_='other_member')
    assert theirs['id'] not in _ids(api.get('volumes?all_tenants=1'))
    admin = dict(as_='cloud_admin', project='admin-project')
    assert _ids(api.get('volumes', **admin)) == []
    everything = _ids(api.get('volumes?all_tenants=1', **admin))
    assert set(everything) == {*three, theirs['id']}
    only_q = _ids(api.get('volumes?all_tenants=true&project_id=project-q', **admin))
    assert only_q == [theirs['id']]
