"""Tenant isolation: another project's volumes are invisible and untouchable.

Project Q (``other_member``) gets 404 for P's volume on every route that
names it, and does not find it in lists; a cloud admin sees and acts on
it; an admin of project P only is no cloud admin; P's reader reads but
does not change.
"""
import pytest

ROUTES = [
    ('GET', 'volumes/{id}', None),
    ('PUT', 'volumes/{id}', {'volume': {'name': 'stolen'}}),
    ('DELETE', 'volumes/{id}', None),
    ('GET', 'volumes/{id}/metadata', None),
    ('POST', 'volumes/{id}/metadata', {'metadata': {'k': 'v'}}),
    ('PUT', 'volumes/{id}/metadata', {'metadata': {'k': 'v'}}),
    ('GET', 'volumes/{id}/metadata/a', None),
    ('PUT', 'volumes/{id}/metadata/a', {'meta': {'a': 'x'}}),
    ('DELETE', 'volumes/{id}/metadata/a', None),
    ('POST', 'volumes/{id}/action', {'os-extend': {'new_size': 5}}),
    ('POST', 'volumes/{id}/action', {'os-set_bootable': {'bootable': True}}),
    ('POST', 'volumes/{id}/action', {'os-update_readonly_flag': {'readonly': True}}),
]


@pytest.fixture
def owned(env):
    return env.available_volume(size=1, metadata={'a': '1'})


@pytest.mark.parametrize('method, path, body', ROUTES)
def test_another_project_gets_404(env, api, owned, method, path, body):
    response = api.request(method, path.format(id=owned['id']), as_='other_member', body=body)
    assert response.status_code == 404
    assert response.get_json()['itemNotFound']['message'] == \
        f"Volume {owned['id']} could not be found."
    assert env.volume_row(owned['id']).status == 'available'
    assert api.get(f"volumes/{owned['id']}").get_json()['volume']['name'] is None


def test_another_project_does_not_list_it(api, owned):
    for path in ('volumes', 'volumes/detail', 'volumes?all_tenants=1',
                 f"volumes/detail?name={owned['name']}"):
        assert api.get(path, as_='other_member').get_json()['volumes'] == []


def test_another_projects_volume_is_no_marker(api, owned):
    assert api.get(f"volumes?marker={owned['id']}", as_='other_member').status_code == 404


def test_a_cloud_admin_sees_and_acts(api, owned):
    admin = {'as_': 'cloud_admin', 'project': 'admin-project'}
    assert api.get(f"volumes/{owned['id']}", **admin).status_code == 200
    renamed = api.put(f"volumes/{owned['id']}", {'volume': {'name': 'by-admin'}}, **admin)
    assert renamed.get_json()['volume']['name'] == 'by-admin'


def test_a_project_admin_is_no_cloud_admin(api):
    theirs = api.volume(as_='other_member')
    assert api.get(f"volumes/{theirs['id']}", as_='project_admin').status_code == 404


@pytest.mark.parametrize('method, path, body', [r for r in ROUTES if r[0] != 'GET'])
def test_a_reader_cannot_change(env, api, owned, method, path, body):
    response = api.request(method, path.format(id=owned['id']), as_='reader', body=body)
    assert response.status_code == 403
    assert 'forbidden' in response.get_json()


def test_a_reader_cannot_create(api):
    assert api.post('volumes', {'volume': {'size': 1}}, as_='reader').status_code == 403


def test_an_unknown_role_sees_nothing(api, owned):
    assert api.get('volumes', as_='foo').status_code == 403
    assert api.get(f"volumes/{owned['id']}", as_='foo').status_code == 403
