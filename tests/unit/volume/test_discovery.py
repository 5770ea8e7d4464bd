"""Version discovery, microversion negotiation, the URL's project and the operational routes."""
import pytest

VERSION_KEYS = {'id', 'status', 'updated', 'links', 'min_version', 'version', 'media-types'}


def _anonymous(env):
    return env.app.test_client()


def test_root_is_300_with_the_v3_entry_and_public(env):
    response = _anonymous(env).get('/')
    assert response.status_code == 300
    versions = response.get_json()['versions']
    assert [v['id'] for v in versions] == ['v3.0']
    entry = versions[0]
    assert VERSION_KEYS <= set(entry)
    assert entry['status'] == 'CURRENT'
    assert (entry['min_version'], entry['version']) == ('3.0', '3.65')
    assert {'rel': 'self', 'href': 'http://localhost/v3/'} in entry['links']
    assert entry['media-types'][0]['type'] == 'application/vnd.openstack.volume+json;version=3'


@pytest.mark.parametrize('path', ['/v3/', '/v3'])
def test_v3_is_200_with_the_same_entry(env, path):
    response = _anonymous(env).get(path)
    assert response.status_code == 200
    assert response.get_json()['versions'] == _anonymous(env).get('/').get_json()['versions']


def test_public_url_is_used_in_links(make_env):
    env = make_env(api__public_url='https://cloud.example:8776')
    entry = _anonymous(env).get('/').get_json()['versions'][0]
    assert {'rel': 'self', 'href': 'https://cloud.example:8776/v3/'} in entry['links']
    volume = env.api.volume()
    assert volume['links'][0]['href'].startswith('https://cloud.example:8776/v3/project-p/')


def test_no_token_is_401_in_cinders_dialect(env):
    response = _anonymous(env).get('/v3/project-p/volumes')
    assert response.status_code == 401
    assert response.get_json()['unauthorized']['code'] == 401


def test_unknown_route_is_404_json(api):
    response = api.get('nothing-here')
    assert response.status_code == 404
    assert response.get_json()['itemNotFound']['code'] == 404


def test_wrong_method_is_405(api):
    response = api.request('PATCH', 'volumes')
    assert response.status_code == 405
    assert 'badMethod' in response.get_json()


def test_healthz_and_metrics(env):
    client = _anonymous(env)
    assert client.get('/healthz').get_json() == {'status': 'ok'}
    env.api.get('volumes')
    metrics = client.get('/metrics')
    assert metrics.status_code == 200
    assert b'stratus_http_requests' in metrics.data


# --- microversions --------------------------------------------------------------------------

def test_no_header_is_3_0_echoed_with_vary(api):
    response = api.get('volumes')
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
    assert 'OpenStack-API-Version' in response.headers['Vary']


@pytest.mark.parametrize('asked, answered', [('3.0', '3.0'), ('3.42', '3.42'),
                                             ('3.65', '3.65'), ('latest', '3.65'),
                                             ('LATEST', '3.65')])
def test_versions_in_range_are_echoed(api, asked, answered):
    response = api.get('volumes', version=asked)
    assert response.status_code == 200
    assert response.headers['OpenStack-API-Version'] == f'volume {answered}'


@pytest.mark.parametrize('asked', ['3.66', '3.71', '2.0', '4.0'])
def test_versions_out_of_range_are_406(api, asked):
    response = api.get('volumes', version=asked)
    assert response.status_code == 406
    assert 'Minimum is 3.0 and maximum is 3.65' in response.get_json()['notAcceptable']['message']


@pytest.mark.parametrize('asked', ['3', 'three', '3.x', '03.1', '3.01'])
def test_malformed_versions_are_400(api, asked):
    response = api.get('volumes', version=asked)
    assert response.status_code == 400
    assert 'badRequest' in response.get_json()


def test_header_for_other_services_only_means_3_0(api):
    response = api.get('volumes', headers={'OpenStack-API-Version': 'compute 2.90'})
    assert response.status_code == 200
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'


def test_header_naming_several_services(api):
    response = api.get('volumes', headers={'OpenStack-API-Version': 'compute 2.1, volume 3.27'})
    assert response.headers['OpenStack-API-Version'] == 'volume 3.27'


def test_errors_carry_the_version_too(api):
    response = api.get('volumes/nope', version='3.50')
    assert response.status_code == 404
    assert response.headers['OpenStack-API-Version'] == 'volume 3.50'


# --- the project in the URL -----------------------------------------------------------------

def test_another_projects_url_is_403(api):
    response = api.get('volumes', project='project-q')
    assert response.status_code == 403
    assert 'project-q' in response.get_json()['forbidden']['message']
    assert api.post('volumes', {'volume': {'size': 1}}, project='project-q').status_code == 403


def test_a_cloud_admin_may_act_in_another_projects_url(env, api):
    mine = api.volume(name='p-vol')
    listed = api.get('volumes', as_='cloud_admin', project='project-p').get_json()['volumes']
    assert [v['id'] for v in listed] == [mine['id']]
    made = api.post('volumes', {'volume': {'size': 1}}, as_='cloud_admin', project='project-q')
    assert made.status_code == 202
    assert env.volume_row(made.get_json()['volume']['id']).project_id == 'project-q'


def test_a_project_admin_is_not_a_cloud_admin(api):
    assert api.get('volumes', as_='project_admin', project='project-q').status_code == 403
