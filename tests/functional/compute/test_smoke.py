"""A server's whole life through the real compute processes, on every backend.

API -> conductor -> agent (fake driver) over RabbitMQ: every action is
accepted by the API (202), carried out by the agent and reported back, and
the server's status walks as a Nova client expects.
"""
import pytest

from tests.functional.compute import helpers


@pytest.fixture(scope='module')
def cloud_admin(compute):
    return compute.admin()


@pytest.fixture(scope='module')
def flavors(cloud_admin):
    """Two flavors: the one servers boot with and a bigger one to resize to."""
    return helpers.make_flavor(cloud_admin), helpers.make_flavor(cloud_admin, ram=256, disk=2)


@pytest.fixture
def member(compute, make_account):
    account = make_account()
    return account, compute.client(account.token)


def test_flavor_create_show_and_list(cloud_admin, flavors, member):
    flavor, _ = flavors
    assert (flavor['ram'], flavor['vcpus'], flavor['disk']) == (128, 1, 1)
    assert flavor['os-flavor-access:is_public'] is True
    _, client = member
    shown = client.get(f'/flavors/{flavor["id"]}')
    assert shown.status_code == 200, shown.text
    assert shown.json()['flavor']['name'] == flavor['name']
    listed = client.get('/flavors/detail', params={'is_public': 'None'}).json()['flavors']
    assert flavor['id'] in {f['id'] for f in listed}
    # Only an admin creates flavors.
    refused = client.post('/flavors', json={'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1,
                                                       'disk': 0}})
    assert refused.status_code == 403, refused.text


def test_keypair_import_show_list_delete(member):
    _, client = member
    key = helpers.public_key()
    created = client.post('/os-keypairs', json={'keypair': {'name': 'kp1', 'public_key': key}})
    assert created.status_code == 201, created.text
    keypair = created.json()['keypair']
    assert (keypair['name'], keypair['public_key'], keypair['type']) == ('kp1', key, 'ssh')
    assert keypair['fingerprint']
    assert client.get('/os-keypairs/kp1').json()['keypair']['fingerprint'] == \
        keypair['fingerprint']
    assert [k['keypair']['name'] for k in client.get('/os-keypairs').json()['keypairs']] == \
        ['kp1']
    duplicate = client.post('/os-keypairs', json={'keypair': {'name': 'kp1',
                                                              'public_key': key}})
    assert duplicate.status_code == 409, duplicate.text
    assert client.delete('/os-keypairs/kp1').status_code == 204
    assert client.get('/os-keypairs/kp1').status_code == 404


def test_server_lifecycle(compute, image, flavors, member):
    account, client = member
    flavor, bigger = flavors
    image_id = helpers.make_image(image, account.token)
    key = helpers.public_key()
    assert client.post('/os-keypairs', json={'keypair': {
        'name': 'kp', 'public_key': key}}).status_code == 201

    server_id = helpers.create_server(client, image_id, flavor['id'], key_name='kp',
                                      metadata={'purpose': 'smoke'})
    server = helpers.wait_for_status(client, server_id, 'ACTIVE')
    assert server['tenant_id'] == account.project_id
    assert server['user_id'] == account.user_id
    assert server['key_name'] == 'kp'
    assert server['metadata'] == {'purpose': 'smoke'}
    assert server['image']['id'] == image_id
    assert server['flavor']['original_name'] == flavor['name']
    assert server['OS-EXT-STS:vm_state'] == 'active'
    assert server['OS-EXT-STS:power_state'] == 1
    assert server['addresses'] == {}

    assert server_id in {s['id'] for s in client.get('/servers').json()['servers']}
    detail = client.get('/servers/detail', params={'name': server['name']}).json()['servers']
    assert [s['id'] for s in detail] == [server_id]

    walk = [({'os-stop': None}, 'SHUTOFF'), ({'os-start': None}, 'ACTIVE'),
            ({'reboot': {'type': 'SOFT'}}, 'ACTIVE'), ({'reboot': {'type': 'HARD'}}, 'ACTIVE'),
            ({'pause': None}, 'PAUSED'), ({'unpause': None}, 'ACTIVE'),
            ({'suspend': None}, 'SUSPENDED'), ({'resume': None}, 'ACTIVE')]
    for body, status in walk:
        helpers.action(client, server_id, body)
        helpers.wait_for_status(client, server_id, status)
    # An action the state does not allow is refused: the server is ACTIVE.
    helpers.action(client, server_id, {'os-start': None}, expect=409)

    helpers.action(client, server_id, {'resize': {'flavorRef': bigger['id']}})
    helpers.wait_for_status(client, server_id, 'VERIFY_RESIZE')
    helpers.action(client, server_id, {'revertResize': None})
    reverted = helpers.wait_for_status(client, server_id, 'ACTIVE')
    assert reverted['flavor']['original_name'] == flavor['name']
    helpers.action(client, server_id, {'resize': {'flavorRef': bigger['id']}})
    helpers.wait_for_status(client, server_id, 'VERIFY_RESIZE')
    helpers.action(client, server_id, {'confirmResize': None}, expect=204)
    resized = helpers.wait_for_status(client, server_id, 'ACTIVE')
    assert (resized['flavor']['original_name'], resized['flavor']['ram']) == \
        (bigger['name'], 256)

    snapshot = helpers.action(client, server_id, {'createImage': {'name': 'smoke-snap'}})
    snapshot_id = snapshot.json()['image_id']
    images = image.client(account.token)
    snap = helpers.wait_for_image(images, snapshot_id, 'active')
    assert (snap['name'], snap['owner']) == ('smoke-snap', account.project_id)
    helpers.wait_for_status(client, server_id, 'ACTIVE')  # the image_uploading task ended

    console = helpers.action(client, server_id, {'os-getConsoleOutput': {'length': 5}},
                             expect=200)
    assert isinstance(console.json()['output'], str)
    assert len(console.json()['output'].splitlines()) <= 5

    actions = client.get(f'/servers/{server_id}/os-instance-actions')
    assert actions.status_code == 200, actions.text
    names = [a['action'] for a in actions.json()['instanceActions']]
    for expected in ('create', 'stop', 'start', 'reboot', 'pause', 'unpause', 'suspend',
                     'resume', 'resize', 'revertResize', 'confirmResize', 'createImage'):
        assert expected in names, names
    create = next(a for a in actions.json()['instanceActions'] if a['action'] == 'create')
    detail = client.get(f'/servers/{server_id}/os-instance-actions/{create["request_id"]}')
    assert detail.status_code == 200, detail.text
    events = detail.json()['instanceAction']['events']
    assert events and all(e['result'] == 'Success' for e in events), events

    deleted = client.delete(f'/servers/{server_id}')
    assert deleted.status_code == 204, deleted.text
    helpers.wait_for_gone(client, server_id)
    assert server_id not in {s['id'] for s in client.get('/servers').json()['servers']}
    images.delete(f'/v2/images/{snapshot_id}')
    images.delete(f'/v2/images/{image_id}')
