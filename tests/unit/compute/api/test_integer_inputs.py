"""Integers from query strings, paths and digit-string fields: a 400 or 404, never a 500.

JSON Schema bounds only numbers, ``str.isdigit`` accepts '²', and no
database driver binds a 20-digit integer: each such value used to reach the
database and fail there.  They are now parsed and bounded by
``compute.request_values``.
"""
import pytest

from tests.unit.image.fixtures import PROJECT

HUGE = '9' * 20
QUOTAS = f'/v2.1/os-quota-sets/{PROJECT}'


def _message(response):
    (fault,) = response.json.values()
    return fault['message']


@pytest.mark.parametrize('query', ['limit=%C2%B2', 'offset=%C2%B2', 'limit=-1',
                                   'offset=1.5'])
def test_server_group_paging_that_is_no_count_is_400(api, query):
    response = api.get(f'/v2.1/os-server-groups?{query}')
    assert response.status_code == 400, response.json
    assert 'Invalid input received: ' in _message(response)


def test_server_group_paging_with_huge_numbers_is_a_page_as_in_nova(api):
    api.post('/v2.1/os-server-groups', {'server_group': {'name': 'g', 'policies': ['affinity']}})
    assert len(api.get(f'/v2.1/os-server-groups?limit={HUGE}').json['server_groups']) == 1
    assert api.get(f'/v2.1/os-server-groups?offset={HUGE}').json == {'server_groups': []}


@pytest.mark.parametrize('hypervisor_id', ['%C2%B2', HUGE, '-1', 'x'])
def test_a_hypervisor_id_that_no_node_can_have_is_404(api, hypervisor_id):
    response = api.get(f'/v2.1/os-hypervisors/{hypervisor_id}', as_='cloud_admin')
    assert response.status_code == 404, response.json
    assert 'could not be found' in _message(response)


@pytest.mark.parametrize('marker', ['%C2%B2', HUGE])
def test_a_hypervisor_marker_that_no_node_can_have_is_400(api, marker):
    response = api.get(f'/v2.1/os-hypervisors?marker={marker}', as_='cloud_admin',
                       version='2.33')
    assert response.status_code == 400
    assert 'not found' in _message(response)


@pytest.mark.parametrize('method', ['get', 'delete'])
def test_an_aggregate_id_beyond_any_row_is_404(api, method):
    response = getattr(api, method)(f'/v2.1/os-aggregates/{HUGE}', as_='cloud_admin')
    assert response.status_code == 404, response.json
    assert _message(response) == f'Aggregate {HUGE} could not be found.'


def test_an_aggregate_id_that_is_no_integer_is_400_as_in_nova(api):
    response = api.get('/v2.1/os-aggregates/%C2%B2', as_='cloud_admin')
    assert response.status_code == 400
    assert _message(response) == 'Invalid input received: id must be an integer'


def test_removing_a_host_from_an_aggregate_beyond_any_row_is_404(api):
    response = api.post(f'/v2.1/os-aggregates/{HUGE}/action',
                        {'remove_host': {'host': 'h1'}}, as_='cloud_admin')
    assert response.status_code == 404


def test_a_service_id_beyond_any_row_is_404_and_no_integer_is_400(api):
    response = api.delete(f'/v2.1/os-services/{HUGE}', as_='cloud_admin')
    assert response.status_code == 404, response.json
    response = api.delete('/v2.1/os-services/%C2%B2', as_='cloud_admin')
    assert response.status_code == 400
    assert _message(response) == 'Invalid input received: id must be an integer'


@pytest.mark.parametrize('value,message', [
    (HUGE, 'instances must be <= 2147483647'),
    ('-5', 'instances must be >= -1'),
    (-5, '-5 is less than the minimum of -1'),
])
@pytest.mark.parametrize('force', [False, True])
def test_quota_limits_are_bounded_whether_number_or_text(api, value, message, force):
    response = api.put(QUOTAS, {'quota_set': {'instances': value, 'force': force}},
                       as_='cloud_admin')
    assert response.status_code == 400, response.json
    assert message in _message(response)
    assert api.get(QUOTAS, as_='cloud_admin').json['quota_set']['instances'] == 10


def test_quota_limit_as_text_is_stored_as_a_number(api):
    response = api.put(QUOTAS, {'quota_set': {'instances': '-1'}}, as_='cloud_admin')
    assert response.status_code == 200
    assert response.json['quota_set']['instances'] == -1


@pytest.mark.parametrize('name', ['minRam', 'minDisk'])
def test_flavor_filters_beyond_an_integer_are_400(api, name):
    response = api.get(f'/v2.1/flavors?{name}={HUGE}')
    assert response.status_code == 400
    assert _message(response) == f'Invalid {name} filter [{HUGE}]'
