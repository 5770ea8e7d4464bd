"""Version discovery and microversion negotiation."""


def test_root_lists_v21_with_its_microversion_range(api):
    response = api.get('/', as_=None)
    assert response.status_code == 200
    (version,) = response.json['versions']
    assert version['id'] == 'v2.1'
    assert (version['min_version'], version['version']) == ('2.1', '2.60')


def test_no_header_means_2_1_and_is_echoed_in_both_headers(api):
    response = api.get('/v2.1', as_=None)
    assert response.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    assert 'OpenStack-API-Version' in response.headers['Vary']


def test_legacy_header_alone_is_honoured(api):
    response = api.get('/v2.1', as_=None, headers={'X-OpenStack-Nova-API-Version': '2.37'})
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.37'


def test_latest_means_the_maximum(api):
    response = api.get('/v2.1', as_=None, version='latest')
    assert response.headers['OpenStack-API-Version'] == 'compute 2.60'


def test_out_of_range_is_406_with_a_nova_fault(api):
    response = api.get('/v2.1', as_=None, version='2.99')
    assert response.status_code == 406
    assert 'maximum is 2.60' in response.json['notAcceptable']['message']


def test_malformed_version_is_400(api):
    response = api.get('/v2.1', as_=None, version='two')
    assert response.status_code == 400
