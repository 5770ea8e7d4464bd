"""``/v2/schemas/*`` and ``/v2/info/*``."""
import pytest

from tests.unit.image import factories as f


@pytest.mark.parametrize('name', ['image', 'images', 'member', 'members'])
def test_schemas(api, name):
    response = api.get(f'/v2/schemas/{name}', as_='reader')
    assert response.status_code == 200
    assert response.json['name'] == name
    assert 'properties' in response.json


def test_image_schema_documents_free_properties_and_formats(api):
    schema = api.get('/v2/schemas/image').json
    assert schema['additionalProperties'] == {'type': 'string', 'maxLength': 65535}
    assert 'qcow2' in schema['properties']['disk_format']['enum']
    assert 'bare' in schema['properties']['container_format']['enum']
    assert schema['properties']['status']['readOnly'] is True
    images = api.get('/v2/schemas/images').json
    assert images['properties']['images']['items']['name'] == 'image'


def test_unknown_schema_is_404(api):
    assert api.get('/v2/schemas/task').status_code == 404


def test_import_info(api):
    body = api.get('/v2/info/import').json
    assert body['import-methods']['value'] == ['glance-direct']


def test_stores_info(api):
    stores = api.get('/v2/info/stores').json['stores']
    assert [s['id'] for s in stores] == ['file']
    assert stores[0]['default'] is True


def _usage(api, as_='member'):
    response = api.get('/v2/info/usage', as_=as_)
    assert response.status_code == 200
    return {name: (v['limit'], v['usage']) for name, v in response.json['usage'].items()}


def test_usage_of_a_new_project(make_env):
    env = make_env(quota__image_count_total=10, quota__image_size_total=-1)
    assert _usage(env.api) == {'image_count_total': (10, 0), 'image_size_total': (-1, 0),
                               'image_stage_total': (1024 ** 4, 0),
                               'image_count_uploading': (10, 0)}


def test_usage_counts_images_and_bytes(env):
    api = env.api
    f.make_active_image(api, data=f.raw_data(1000))
    f.make_active_image(api, data=f.raw_data(500))
    queued = f.make_image(api)
    staged = f.make_image(api)
    assert api.put(f'/v2/images/{staged["id"]}/stage', data=f.raw_data(300),
                   content_type='application/octet-stream').status_code == 204
    deleted = f.make_active_image(api, data=f.raw_data(700))
    assert api.delete(f'/v2/images/{deleted["id"]}').status_code == 204
    f.make_active_image(api, as_='other_member', data=f.raw_data(900))
    usage = _usage(api)
    assert usage['image_count_total'][1] == 4
    assert usage['image_size_total'][1] == 1500
    assert usage['image_stage_total'][1] == 300
    assert usage['image_count_uploading'][1] == 1  # the staged image
    assert _usage(api, as_='reader') == usage
    other = _usage(api, as_='other_member')
    assert (other['image_count_total'][1], other['image_size_total'][1]) == (1, 900)
    assert api.delete(f'/v2/images/{queued["id"]}').status_code == 204
    assert _usage(api)['image_count_total'][1] == 3
