"""Bad input anywhere gets a 4xx with a Cinder fault body, never a 500, and changes nothing."""
import pytest

ADMIN = {'as_': 'cloud_admin'}


def _refused(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.headers['Content-Type'] == 'application/json'
    (fault,) = response.get_json().values()
    assert fault['code'] == code and fault['message']
    return fault['message']


@pytest.mark.parametrize('query', [
    'volumes?size=99999999999999999999', 'volumes?limit=99999999999999999999999',
    'volumes?offset=99999999999999999999', 'volumes/detail?sort=size:up',
    'volumes?created_at=gt:2026-13-01T00:00:00', 'volumes?name=a%00b',
    'volumes?marker=%00', 'types?limit=x', 'types?sort=name:x',
])
def test_unusable_query_values_are_400(env, api, query):
    env.available_volume()
    _refused(api.get(query, version='3.60'))


@pytest.mark.parametrize('path, body', [
    ('volumes', {'volume': {'size': 1, 'name': 'a\x00b'}}),
    ('volumes', {'volume': {'size': 1, 'metadata': {'k': 'v\x00'}}}),
    ('types', {'volume_type': {'name': 'n\x00'}}),
])
def test_nul_characters_are_400_and_store_nothing(api, path, body):
    _refused(api.post(path, body, **({'as_': 'cloud_admin'} if path == 'types' else {})))
    assert api.get('volumes').get_json()['volumes'] == []
    assert len(api.get('types').get_json()['volume_types']) == 1


@pytest.mark.parametrize('raw', ['{', '[1, 2', 'null', '"text"', '12', '{"volume": '])
def test_malformed_json_is_400(api, raw):
    _refused(api.post('volumes', None, data=raw, content_type='application/json'))


def test_a_body_that_is_too_large_is_413(make_env):
    env = make_env(api__max_request_body_size=2048)
    response = env.api.post('volumes', {'volume': {'size': 1, 'description': 'x' * 4000}})
    _refused(response, 413)


def test_a_long_project_id_in_a_quota_path_is_400(api):
    _refused(api.put(f"os-quota-sets/{'p' * 65}", {'quota_set': {'volumes': 1}}, **ADMIN))


def test_a_long_project_in_type_access_is_400(api):
    private = api.volume_type('private', is_public=False)
    _refused(api.post(f"types/{private['id']}/action",
                      {'addProjectAccess': {'project': 'p' * 65}}, **ADMIN))


@pytest.mark.parametrize('path', ['volumes', 'volumes/x/action', 'volumes/x/metadata', 'types',
                                  'types/x/extra_specs', 'types/x/action',
                                  'os-services/enable'])
def test_non_object_bodies_are_400(api, path):
    method = api.put if path.startswith('os-services') else api.post
    _refused(method(path, ['not', 'an', 'object'], **ADMIN))


@pytest.mark.parametrize('size', ['9' * 5000, '2147483648', 2147483648])
def test_sizes_beyond_the_column_are_400(env, api, size):
    _refused(api.post('volumes', {'volume': {'size': size}}))
    volume = env.available_volume()
    _refused(api.action(volume['id'], 'os-extend', {'new_size': size}))
    assert env.volume_row(volume['id']).size == volume['size']


@pytest.mark.parametrize('query', ['volumes/detail?metadata={{}:1}', 'volumes?metadata={"k":[1]}',
                                   'types?extra_specs={[1]:2}', 'types?extra_specs=' + '[' * 500])
def test_dict_filters_that_are_not_flat_dicts_are_400(api, query):
    _refused(api.get(query))


@pytest.mark.parametrize('query', ['volumes?sort=bootable:asc&marker={volume}',
                                   'types?sort=is_public&marker={type}'])
def test_a_marker_with_a_boolean_sort_key_pages(env, api, query):
    volumes = [env.available_volume() for _ in range(2)]
    [default_type] = api.get('types').get_json()['volume_types']
    response = api.get(query.format(volume=volumes[0]['id'], type=default_type['id']))
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize('key', ['a ', ' a'])
def test_metadata_keys_with_edge_spaces_are_400(api, key):
    _refused(api.post('volumes', {'volume': {'size': 1, 'metadata': {'a': '1', key: '2'}}}))
    assert api.get('volumes').get_json()['volumes'] == []
