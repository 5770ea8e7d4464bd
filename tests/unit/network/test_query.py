"""The list conventions every resource shares (network.api.query), through /v2.0/networks."""
import urllib.parse

import pytest


@pytest.fixture
def nets(api):
    return [api.network(name=name, admin_state_up=up)
            for name, up in (('b', True), ('a', False), ('c', True), ('a', True))]


def _names(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [n['name'] for n in response.get_json()['networks']]


def test_filter_on_an_attribute(api, nets):
    assert sorted(_names(api.get('/v2.0/networks?name=a'))) == ['a', 'a']


def test_repeated_filter_matches_any_value(api, nets):
    assert sorted(_names(api.get('/v2.0/networks?name=a&name=c'))) == ['a', 'a', 'c']


def test_boolean_filters_accept_python_spelling(api, nets):
    assert _names(api.get('/v2.0/networks?admin_state_up=False')) == ['a']
    assert len(_names(api.get('/v2.0/networks?admin_state_up=true'))) == 3


def test_bad_boolean_filter_is_400(api, nets):
    response = api.get('/v2.0/networks?admin_state_up=maybe')
    assert response.status_code == 400
    assert response.get_json()['NeutronError']['type'] == 'InvalidInput'


def test_unknown_filter_is_ignored(api, nets):
    assert len(_names(api.get('/v2.0/networks?no_such_attribute=1'))) == 4


def test_fields_selects_attributes_without_forcing_the_id(api, nets):
    items = api.get('/v2.0/networks?fields=name&fields=status').get_json()['networks']
    assert all(set(i) == {'name', 'status'} for i in items)


def test_fields_on_show(api, nets):
    body = api.get(f"/v2.0/networks/{nets[0]['id']}?fields=id").get_json()
    assert body == {'network': {'id': nets[0]['id']}}


def test_sort_keys_and_dirs(api, nets):
    response = api.get('/v2.0/networks?sort_key=name&sort_dir=desc&sort_key=admin_state_up'
                       '&sort_dir=asc')
    items = response.get_json()['networks']
    assert [(i['name'], i['admin_state_up']) for i in items] == [
        ('c', True), ('b', True), ('a', False), ('a', True)]


def test_sort_on_unknown_key_is_400(api, nets):
    assert api.get('/v2.0/networks?sort_key=subnets').status_code == 400


def test_unpaired_sort_dirs_are_400(api, nets):
    assert api.get('/v2.0/networks?sort_key=name&sort_dir=asc&sort_dir=desc')\
        .status_code == 400


def _query(href):
    return urllib.parse.parse_qs(urllib.parse.urlparse(href).query)


def test_pagination_walks_forward_and_back(api, nets):
    first = api.get('/v2.0/networks?sort_key=name&limit=3').get_json()
    assert [n['name'] for n in first['networks']] == ['a', 'a', 'b']
    links = {link['rel']: link['href'] for link in first['networks_links']}
    assert set(links) == {'next'}
    assert _query(links['next'])['marker'] == [first['networks'][-1]['id']]
    path = urllib.parse.urlparse(links['next'])
    second = api.get(f'{path.path}?{path.query}').get_json()
    assert [n['name'] for n in second['networks']] == ['c']
    links = {link['rel']: link['href'] for link in second['networks_links']}
    assert set(links) == {'previous'}
    path = urllib.parse.urlparse(links['previous'])
    back = api.get(f'{path.path}?{path.query}').get_json()
    assert [n['name'] for n in back['networks']] == ['a', 'a', 'b']
    assert {link['rel'] for link in back['networks_links']} == {'next'}


def test_last_full_page_has_no_next_link(api, nets):
    body = api.get('/v2.0/networks?limit=4').get_json()
    assert len(body['networks']) == 4
    assert 'networks_links' not in body


def test_unknown_marker_is_404(api, nets):
    response = api.get('/v2.0/networks?limit=2&marker=00000000-0000-0000-0000-000000000000')
    assert response.status_code == 404
    assert response.get_json()['NeutronError']['type'] == 'MarkerNotFound'


def test_marker_of_an_invisible_resource_is_404(api, nets):
    other = api.network(as_='other_member')
    assert api.get(f"/v2.0/networks?limit=2&marker={other['id']}").status_code == 404


@pytest.mark.parametrize('limit', ['-1', 'x'])
def test_bad_limit_is_400(api, nets, limit):
    assert api.get(f'/v2.0/networks?limit={limit}').status_code == 400


def test_limit_zero_means_no_limit(api, nets):
    body = api.get('/v2.0/networks?limit=0').get_json()
    assert len(body['networks']) == 4 and 'networks_links' not in body


def test_limit_is_capped(make_env):
    env = make_env(pagination_max_limit=2)
    for _ in range(3):
        env.api.network()
    body = env.api.get('/v2.0/networks?limit=50').get_json()
    assert len(body['networks']) == 2 and body['networks_links'][0]['rel'] == 'next'
