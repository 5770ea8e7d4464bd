"""Tenant isolation: one project's servers, key pairs, private flavors and server
groups do not exist for another (404, absent from lists); a cloud admin sees
them all when it asks for every project."""
import pytest

from tests.functional.compute import helpers


@pytest.fixture(scope='module')
def cloud_admin(compute):
    return compute.admin()


@pytest.fixture
def owner_resources(compute, image, cloud_admin, make_account):
    """Project A's server, key pair, private flavor and server group."""
    account = make_account()
    client = compute.client(account.token)
    flavor = helpers.make_flavor(cloud_admin, is_public=False)
    granted = cloud_admin.post(f'/flavors/{flavor["id"]}/action', json={
        'addTenantAccess': {'tenant': account.project_id}})
    assert granted.status_code == 200, granted.text
    assert client.post('/os-keypairs', json={'keypair': {
        'name': 'mine', 'public_key': helpers.public_key()}}).status_code == 201
    group = client.post('/os-server-groups', json={'server_group': {
        'name': 'group', 'policies': ['anti-affinity']}})
    assert group.status_code == 200, group.text
    group_id = group.json()['server_group']['id']
    server_id = helpers.create_server(client, helpers.make_image(image, account.token),
                                      flavor['id'], key_name='mine')
    helpers.wait_for_status(client, server_id, 'ACTIVE')
    yield {'account': account, 'client': client, 'server': server_id, 'flavor': flavor['id'],
           'group': group_id}
    helpers.delete_all(client, [server_id])
    client.delete(f'/os-server-groups/{group_id}')
    cloud_admin.delete(f'/flavors/{flavor["id"]}')


def test_another_project_sees_none_of_them(compute, make_account, owner_resources):
    other = compute.client(make_account().token)
    server, flavor, group = (owner_resources[k] for k in ('server', 'flavor', 'group'))

    assert other.get(f'/servers/{server}').status_code == 404
    for path in ('/servers', '/servers/detail'):
        assert other.get(path).json()['servers'] == []
    # Asking for every project is an admin's privilege, not a way around isolation.
    assert server not in {s['id'] for s in other.get(
        '/servers/detail', params={'all_tenants': 1}).json().get('servers', [])}
    assert other.post(f'/servers/{server}/action', json={'os-stop': None}).status_code == 404
    assert other.put(f'/servers/{server}', json={'server': {'name': 'x'}}).status_code == 404
    assert other.delete(f'/servers/{server}').status_code == 404
    assert other.get(f'/servers/{server}/os-instance-actions').status_code == 404

    assert other.get('/os-keypairs/mine').status_code == 404
    assert other.get('/os-keypairs').json()['keypairs'] == []

    assert other.get(f'/flavors/{flavor}').status_code == 404
    listed = other.get('/flavors/detail', params={'is_public': 'None'}).json()['flavors']
    assert flavor not in {f['id'] for f in listed}
    # Nor can it boot from it.
    refused = other.post('/servers', json={'server': {
        'name': 'x', 'flavorRef': flavor, 'imageRef': 'irrelevant', 'networks': 'none'}})
    assert refused.status_code in (400, 404), refused.text

    assert other.get(f'/os-server-groups/{group}').status_code == 404
    assert other.get('/os-server-groups').json()['server_groups'] == []

    # The owner still has everything, untouched.
    owner = owner_resources['client']
    assert helpers.show(owner, server)['status'] == 'ACTIVE'
    assert owner.get('/os-keypairs/mine').status_code == 200
    assert owner.get(f'/flavors/{flavor}').status_code == 200
    assert owner.get(f'/os-server-groups/{group}').status_code == 200


def test_a_reader_of_the_project_sees_but_cannot_change(compute, make_account,
                                                        owner_resources):
    reader = compute.client(make_account(roles=('reader',),
                                         project_id=owner_resources['account'].project_id).token)
    server = owner_resources['server']
    assert helpers.show(reader, server)['id'] == server
    assert reader.post(f'/servers/{server}/action', json={'os-stop': None}).status_code == 403
    assert reader.delete(f'/servers/{server}').status_code == 403


def test_admin_sees_every_project_only_when_asking(cloud_admin, owner_resources):
    server, group = owner_resources['server'], owner_resources['group']
    project = owner_resources['account'].project_id
    everyone = cloud_admin.get('/servers/detail', params={'all_tenants': 1}).json()['servers']
    assert server in {s['id'] for s in everyone}
    filtered = cloud_admin.get('/servers/detail', params={
        'all_tenants': 1, 'project_id': project}).json()['servers']
    assert [s['id'] for s in filtered] == [server]
    own = cloud_admin.get('/servers/detail').json()['servers']
    assert server not in {s['id'] for s in own}
    assert helpers.show(cloud_admin, server)['tenant_id'] == project
    groups = cloud_admin.get('/os-server-groups', params={'all_projects': True})
    assert group in {g['id'] for g in groups.json()['server_groups']}
    user_id = owner_resources['account'].user_id
    keypair = cloud_admin.get('/os-keypairs/mine', params={'user_id': user_id})
    assert keypair.status_code == 200, keypair.text
