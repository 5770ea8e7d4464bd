"""``/volumes/{id}/metadata``: list, merge, replace, one key, delete."""
import pytest


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


@pytest.fixture
def path(api):
    volume = api.volume(metadata={'a': '1', 'b': '2'})
    return f"volumes/{volume['id']}/metadata"


def test_list_merge_replace(api, path):
    assert api.get(path).get_json() == {'metadata': {'a': '1', 'b': '2'}}
    merged = api.post(path, {'metadata': {'b': 'two', 'c': '3'}})
    assert merged.status_code == 200
    assert merged.get_json() == {'metadata': {'a': '1', 'b': 'two', 'c': '3'}}
    replaced = api.put(path, {'metadata': {'z': '26'}})
    assert replaced.get_json() == {'metadata': {'z': '26'}}
    assert api.get(path).get_json() == {'metadata': {'z': '26'}}
    assert api.put(path, {'metadata': {}}).get_json() == {'metadata': {}}


def test_one_key(api, path):
    assert api.get(f'{path}/a').get_json() == {'meta': {'a': '1'}}
    assert api.put(f'{path}/a', {'meta': {'a': 'one'}}).get_json() == {'meta': {'a': 'one'}}
    assert api.put(f'{path}/new', {'meta': {'new': 'x'}}).status_code == 200
    assert api.get(path).get_json()['metadata'] == {'a': 'one', 'b': '2', 'new': 'x'}
    response = api.delete(f'{path}/a')
    assert response.status_code == 200 and response.data == b''
    assert 'has no metadata with key a' in _error(api.get(f'{path}/a'), 404)
    _error(api.delete(f'{path}/a'), 404)


def test_one_key_bad_bodies(api, path):
    assert 'mismatch' in _error(api.put(f'{path}/a', {'meta': {'b': '1'}}))
    assert 'too many items' in _error(api.put(f'{path}/a', {'meta': {'a': '1', 'b': '2'}}))
    _error(api.put(f'{path}/a', {'meta': {}}))
    _error(api.put(f'{path}/a', {'metadata': {'a': '1'}}))


@pytest.mark.parametrize('body', [{}, {'metadata': None}, {'metadata': {'k': 1}},
                                  {'metadata': {'k': 'v' * 256}}, {'metadata': {'': 'v'}},
                                  {'metadata': {'k' * 256: 'v'}}, {'metadata': ['k']},
                                  {'metadata': {}, 'extra': 1}])
def test_bad_bodies(api, path, body):
    _error(api.post(path, body))
    _error(api.put(path, body))


def test_unknown_volume_is_404(api):
    _error(api.get('volumes/nope/metadata'), 404)
    _error(api.post('volumes/nope/metadata', {'metadata': {'a': '1'}}), 404)


def test_readers_read_members_write(api, path):
    assert api.get(path, as_='reader').status_code == 200
    assert api.post(path, {'metadata': {'a': '2'}}, as_='reader').status_code == 403
    assert api.delete(f'{path}/a', as_='reader').status_code == 403
