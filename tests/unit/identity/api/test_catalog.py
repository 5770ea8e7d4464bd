"""``/v3/regions``, ``/v3/services`` and ``/v3/endpoints``."""
import pytest

from tests.unit.identity import factories as f


def _service(api, token, **attrs):
    attrs.setdefault('type', f.unique('type'))
    return api.post('/v3/services', token=token, json={'service': attrs})


def _endpoint(api, token, **attrs):
    return api.post('/v3/endpoints', token=token, json={'endpoint': attrs})


def test_regions(api, admin_token, notifications):
    created = api.post('/v3/regions', token=admin_token,
                       json={'region': {'id': 'RegionTwo', 'description': 'two'}})
    assert created.status_code == 201
    assert created.json['region']['id'] == 'RegionTwo'
    child = api.put('/v3/regions/RegionTwo-a', token=admin_token,
                    json={'region': {'parent_region_id': 'RegionTwo'}})
    assert child.status_code == 201
    listed = api.get('/v3/regions?parent_region_id=RegionTwo', token=admin_token).json
    assert [r['id'] for r in listed['regions']] == ['RegionTwo-a']
    assert api.delete('/v3/regions/RegionTwo', token=admin_token).status_code == 409
    assert api.delete('/v3/regions/RegionTwo-a', token=admin_token).status_code == 204
    assert api.delete('/v3/regions/RegionTwo', token=admin_token).status_code == 204
    assert api.get('/v3/regions/RegionTwo', token=admin_token).status_code == 404
    assert [e[0] for e in notifications.events()] == [
        'identity.region.created', 'identity.region.created',
        'identity.region.deleted', 'identity.region.deleted']


def test_generated_region_id(api, admin_token):
    region = api.post('/v3/regions', token=admin_token, json={'region': {}}).json['region']
    assert len(region['id']) == 32


def test_duplicate_region_is_409(api, admin_token):
    response = api.post('/v3/regions', token=admin_token, json={'region': {'id': 'RegionOne'}})
    assert response.status_code == 409


@pytest.mark.parametrize('region, status', [({'parent_region_id': 'nope'}, 400),
                                            ({'id': 'loop', 'parent_region_id': 'loop'}, 400)])
def test_bad_region_parents(api, admin_token, region, status):
    assert api.post('/v3/regions', token=admin_token,
                    json={'region': region}).status_code == status


def test_region_parent_loop_by_update_is_400(api, admin_token):
    api.put('/v3/regions/loop-a', token=admin_token, json={'region': {}})
    api.put('/v3/regions/loop-b', token=admin_token,
            json={'region': {'parent_region_id': 'loop-a'}})
    response = api.patch('/v3/regions/loop-a', token=admin_token,
                         json={'region': {'parent_region_id': 'loop-b'}})
    assert response.status_code == 400


def test_services_and_endpoints(api, admin_token, notifications):
    service = _service(api, admin_token, type='compute', name='nova').json['service']
    assert (service['type'], service['name'], service['enabled']) == ('compute', 'nova', True)
    endpoint = _endpoint(api, admin_token, service_id=service['id'], interface='public',
                         url='http://compute:8774/v2.1', region_id='RegionOne')
    assert endpoint.status_code == 201
    body = endpoint.json['endpoint']
    assert body['region'] == body['region_id'] == 'RegionOne'
    listed = api.get(f"/v3/endpoints?service_id={service['id']}", token=admin_token).json
    assert [e['id'] for e in listed['endpoints']] == [body['id']]
    assert api.get('/v3/services?type=compute', token=admin_token).json['services'][0]['id'] \
        == service['id']
    updated = api.patch(f"/v3/endpoints/{body['id']}", token=admin_token,
                        json={'endpoint': {'url': 'http://compute2:8774/v2.1'}})
    assert updated.json['endpoint']['url'] == 'http://compute2:8774/v2.1'
    assert api.delete(f"/v3/services/{service['id']}", token=admin_token).status_code == 204
    assert api.get(f"/v3/endpoints/{body['id']}", token=admin_token).status_code == 404


def test_endpoint_references_are_checked(api, admin_token):
    service = _service(api, admin_token).json['service']
    assert _endpoint(api, admin_token, service_id='nope', interface='public',
                     url='http://x').status_code == 400
    assert _endpoint(api, admin_token, service_id=service['id'], interface='public',
                     url='http://x', region_id='nowhere').status_code == 400


@pytest.mark.parametrize('endpoint, field', [
    ({'interface': 'private', 'url': 'http://x'}, "'endpoint.interface'"),
    ({'interface': 'public', 'url': 'not a url'}, "'endpoint.url'"),
    ({'interface': 'public'}, "'endpoint.url'"),
])
def test_endpoint_schema(api, admin_token, endpoint, field):
    service = _service(api, admin_token).json['service']
    response = _endpoint(api, admin_token, service_id=service['id'], **endpoint)
    assert response.status_code == 400
    assert field in response.json['error']['message']


def test_disabled_endpoints_and_services_leave_the_catalog(api, env, admin_token):
    service = _service(api, admin_token, type='image').json['service']
    endpoint = _endpoint(api, admin_token, service_id=service['id'], interface='public',
                         url='http://image:9292').json['endpoint']

    def catalog_types():
        body = api.get('/v3/auth/catalog', token=admin_token).json
        return {s['type']: s['endpoints'] for s in body['catalog']}

    assert [e['id'] for e in catalog_types()['image']] == [endpoint['id']]
    api.patch(f"/v3/endpoints/{endpoint['id']}", token=admin_token,
              json={'endpoint': {'enabled': False}})
    assert 'image' not in catalog_types()
    api.patch(f"/v3/endpoints/{endpoint['id']}", token=admin_token,
              json={'endpoint': {'enabled': True}})
    api.patch(f"/v3/services/{service['id']}", token=admin_token,
              json={'service': {'enabled': False}})
    assert 'image' not in catalog_types()


def test_unknown_ids_are_404(api, admin_token):
    for path in ('/v3/services/nope', '/v3/endpoints/nope', '/v3/regions/nope'):
        assert api.get(path, token=admin_token).status_code == 404
