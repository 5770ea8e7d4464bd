"""The unmodified ``openstack`` CLI against the all-in-one's image service.

The flows of the issue: ``image create --file --disk-format qcow2
--container-format bare``, ``image list/show/set --property/unset/save/
delete``, and sharing (``image add project`` + ``image set --accept``),
with a real qcow2 made by ``qemu-img``.  Every image a test creates is
deleted at the end through the API, also when the test fails.
"""
import hashlib

import pytest

from tests import servers
from tests.compat.conftest import MEMBER_CLOUD, VIRTUAL_SIZE


def image_endpoint(token_body):
    for service in token_body.get('catalog') or []:
        if service['type'] == 'image':
            for endpoint in service['endpoints']:
                if endpoint['interface'] == 'public':
                    return endpoint['url']
    raise AssertionError('the catalog has no public image endpoint')


@pytest.fixture(scope='session')
def image_api(admin_cloud):
    """The image API with a stratus-admin token (for checks and clean-up)."""
    token, body = admin_cloud.issue_token()
    return servers.ApiClient(image_endpoint(body), token)


@pytest.fixture
def image_cleanup(image_api):
    """``image_cleanup(id)``: delete that image at teardown (404 is fine)."""
    ids = []
    yield ids.append
    failures = []
    for image_id in reversed(ids):
        response = image_api.delete(f'/v2/images/{image_id}')
        if response.status_code not in (204, 404):
            failures.append(f'{image_id}: {response.status_code} {response.text[:200]}')
    assert not failures, 'image clean-up failed: ' + '; '.join(failures)


def create_with_cli(cli, qcow2_file, name, *options, cloud=None):
    kwargs = {'cloud': cloud} if cloud else {}
    return cli.json('image', 'create', '--file', qcow2_file, '--disk-format', 'qcow2',
                    '--container-format', 'bare', *options, name, **kwargs)


def test_image_lifecycle(cli, qcow2_file, image_api, image_cleanup, unique_name, tmp_path,
                         admin_cloud):
    name = unique_name('image')
    data = qcow2_file.read_bytes()
    created = create_with_cli(cli, qcow2_file, name)
    image_cleanup(created['id'])
    assert (created['name'], created['status'], created['disk_format'],
            created['container_format']) == (name, 'active', 'qcow2', 'bare')
    assert created['size'] == len(data)
    assert created['virtual_size'] == VIRTUAL_SIZE
    assert created['checksum'] == hashlib.md5(data).hexdigest()

    listed = cli.json('image', 'list')
    assert [i['Status'] for i in listed if i['ID'] == created['id']] == ['active']
    assert [i['Name'] for i in cli.json('image', 'list', '--name', name)] == [name]

    shown = cli.json('image', 'show', name)
    assert shown['id'] == created['id']
    assert shown['properties']['os_hash_algo'] == 'sha512'
    assert shown['properties']['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert shown['owner'] == admin_cloud.issue_token()[1]['project']['id']

    cli.run('image', 'set', '--property', 'os_distro=cirros', '--property',
            'hw_disk_bus=virtio', '--min-ram', '64', name)
    shown = cli.json('image', 'show', name)
    assert shown['properties']['os_distro'] == 'cirros'
    assert shown['properties']['hw_disk_bus'] == 'virtio'
    assert shown['min_ram'] == 64
    # The properties are top-level keys in the API, as Glance has them.
    assert image_api.get(f'/v2/images/{created["id"]}').json()['os_distro'] == 'cirros'

    cli.run('image', 'unset', '--property', 'hw_disk_bus', name)
    shown = cli.json('image', 'show', name)
    assert 'hw_disk_bus' not in shown['properties']
    assert shown['properties']['os_distro'] == 'cirros'

    saved = tmp_path / 'saved.qcow2'
    cli.run('image', 'save', '--file', saved, name)
    assert saved.read_bytes() == data

    cli.run('image', 'delete', name)
    assert image_api.get(f'/v2/images/{created["id"]}').status_code == 404
    assert image_api.get(f'/v2/images/{created["id"]}/file').status_code == 404
    missing = cli.run('image', 'show', created['id'], check=False)
    assert missing.returncode != 0
    assert created['id'] not in {i['ID'] for i in cli.json('image', 'list')}


def test_share_with_a_project_then_accept(cli, qcow2_file, image_cleanup, unique_name,
                                          member_cloud, tmp_path):
    member_project = member_cloud.issue_token()[1]['project']['id']
    name = unique_name('shared')
    created = create_with_cli(cli, qcow2_file, name)
    image_cleanup(created['id'])
    assert created['visibility'] == 'shared'
    assert created['id'] not in {i['ID'] for i in cli.json('image', 'list',
                                                           cloud=MEMBER_CLOUD)}

    membership = cli.json('image', 'add', 'project', name, member_cloud.project_name)
    assert (membership['member_id'], membership['status']) == (member_project, 'pending')
    # Pending: visible by ID, not listed.
    assert cli.json('image', 'show', created['id'], cloud=MEMBER_CLOUD)['name'] == name
    assert created['id'] not in {i['ID'] for i in cli.json('image', 'list',
                                                           cloud=MEMBER_CLOUD)}

    # A pending member cannot find the image by name (Glance neither): --accept takes the ID.
    cli.run('image', 'set', '--accept', created['id'], cloud=MEMBER_CLOUD)
    assert created['id'] in {i['ID'] for i in cli.json('image', 'list', cloud=MEMBER_CLOUD)}
    members = cli.json('image', 'member', 'list', name)
    assert [(m['Member ID'], m['Status']) for m in members] == [(member_project, 'accepted')]

    saved = tmp_path / 'by-member.qcow2'
    cli.run('image', 'save', '--file', saved, created['id'], cloud=MEMBER_CLOUD)
    assert saved.read_bytes() == qcow2_file.read_bytes()
    # A member uses the image; it cannot delete it.
    refused = cli.run('image', 'delete', created['id'], cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0
    assert cli.json('image', 'show', name)['status'] == 'active'


def test_a_member_cannot_make_an_image_public(cli, qcow2_file, image_api, image_cleanup,
                                              unique_name):
    public_name = unique_name('public')
    refused = cli.run('image', 'create', '--public', '--disk-format', 'qcow2',
                      '--container-format', 'bare', public_name, cloud=MEMBER_CLOUD,
                      check=False)
    for leaked in image_api.get('/v2/images', params={'name': public_name}).json()['images']:
        image_cleanup(leaked['id'])
    assert refused.returncode != 0
    assert '403' in refused.stderr + refused.stdout

    name = unique_name('own')
    own = create_with_cli(cli, qcow2_file, name, cloud=MEMBER_CLOUD)
    image_cleanup(own['id'])
    assert own['status'] == 'active'
    refused = cli.run('image', 'set', '--public', own['id'], cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0
    assert 'administrator' in refused.stderr + refused.stdout
    assert image_api.get(f'/v2/images/{own["id"]}').json()['visibility'] == 'shared'
    # The cloud admin may.
    cli.run('image', 'set', '--public', own['id'])
    assert image_api.get(f'/v2/images/{own["id"]}').json()['visibility'] == 'public'
    cli.run('image', 'delete', own['id'], cloud=MEMBER_CLOUD)
    assert image_api.get(f'/v2/images/{own["id"]}').status_code == 404
