"""The unmodified ``openstack`` CLI on what volumes are made from and used for:
snapshots, backups, volumes from images and images from volumes, attaching
volumes to servers and booting from a volume.

Whatever a test creates is deleted at the end through the APIs, also when
it fails.
"""
import time

import pytest

from tests import servers
from tests.compat import volume_helpers
from tests.compat.conftest import GUEST_IMAGE, GUEST_WAIT, MEMBER_CLOUD


@pytest.fixture(scope='session')
def volume_api(admin_cloud):
    return volume_helpers.admin_volume_api(admin_cloud)


@pytest.fixture
def volume_cleanup(volume_api):
    tracker = volume_helpers.VolumeCleanup(volume_api)
    yield tracker
    tracker.run()


@pytest.fixture
def other_cleanup(admin_cloud):
    """``other_cleanup(service_type, path)``: DELETE a path of the compute or image API
    at teardown (servers are awaited until gone, so that their volumes detach)."""
    token, body = admin_cloud.issue_token()
    apis = {'compute': servers.ComputeClient(volume_helpers.endpoint(body, 'compute'), token),
            'image': servers.ApiClient(volume_helpers.endpoint(body, 'image'), token)}
    paths = []
    yield lambda service_type, path: paths.append((service_type, path))
    failures = []
    for service_type, path in reversed(paths):
        api = apis[service_type]
        response = api.delete(path)
        if response.status_code not in (202, 204, 404):
            failures.append(f'DELETE {path} -> {response.status_code} {response.text[:200]}')
        elif path.startswith('/servers/'):
            deadline = time.monotonic() + GUEST_WAIT
            while api.get(path).status_code != 404 and time.monotonic() < deadline:
                time.sleep(0.5)
    assert not failures, 'clean-up failed: ' + '; '.join(failures)


def make_volume(cli, volume_cleanup, name, *options):
    created = cli.json('volume', 'create', *options, name, cloud=MEMBER_CLOUD)
    volume_cleanup.add(f'/volumes/{created["id"]}')
    return volume_helpers.wait_for_volume(cli, created['id'])


def wait_for(cli, kind, name_or_id, status, wait=volume_helpers.VOLUME_WAIT):
    """``openstack <kind> show`` (``volume snapshot``, ``volume backup``, ``image`` …)
    until its status is ``status``; fails at once on an error status."""
    deadline = time.monotonic() + wait
    while True:
        shown = cli.json(*kind.split(), 'show', name_or_id, cloud=MEMBER_CLOUD)
        if shown['status'] == status:
            return shown
        assert 'error' not in shown['status'] and shown['status'] != 'killed', shown
        assert time.monotonic() < deadline, f'{kind} {name_or_id} is {shown["status"]}'
        time.sleep(1)


def wait_gone(cli, kind, name_or_id, wait=volume_helpers.VOLUME_WAIT):
    deadline = time.monotonic() + wait
    while cli.run(*kind.split(), 'show', name_or_id, cloud=MEMBER_CLOUD,
                  check=False).returncode == 0:
        assert time.monotonic() < deadline, f'{kind} {name_or_id} still exists'
        time.sleep(1)


def test_snapshot_create_list_show_set_delete_and_a_volume_from_it(cli, volume_cleanup,
                                                                    unique_name):
    volume = make_volume(cli, volume_cleanup, unique_name('vol'), '--size', '1')
    name = unique_name('snap')
    snapshot = cli.json('volume', 'snapshot', 'create', '--volume', volume['id'], name,
                        cloud=MEMBER_CLOUD)
    volume_cleanup.add(f'/snapshots/{snapshot["id"]}')
    snapshot = wait_for(cli, 'volume snapshot', snapshot['id'], 'available')
    assert (snapshot['name'], snapshot['size'], snapshot['volume_id']) == \
        (name, 1, volume['id'])
    assert snapshot['id'] in {s['ID'] for s in cli.json('volume', 'snapshot', 'list',
                                                        cloud=MEMBER_CLOUD)}
    cli.run('volume', 'snapshot', 'set', '--description', 'compat', '--property', 'k=v',
            snapshot['id'], cloud=MEMBER_CLOUD)
    shown = cli.json('volume', 'snapshot', 'show', snapshot['id'], cloud=MEMBER_CLOUD)
    assert (shown['description'], shown['properties']) == ('compat', {'k': 'v'})
    # A volume with a snapshot is not deleted without --purge.
    assert cli.run('volume', 'delete', volume['id'], cloud=MEMBER_CLOUD,
                   check=False).returncode != 0

    restored = make_volume(cli, volume_cleanup, unique_name('from-snap'),
                           '--snapshot', snapshot['id'])
    assert (restored['snapshot_id'], restored['size']) == (snapshot['id'], 1)
    cli.run('volume', 'delete', restored['id'], cloud=MEMBER_CLOUD)
    cli.run('volume', 'snapshot', 'delete', snapshot['id'], cloud=MEMBER_CLOUD)
    wait_gone(cli, 'volume snapshot', snapshot['id'])
    cli.run('volume', 'delete', volume['id'], cloud=MEMBER_CLOUD)
    volume_helpers.wait_for_volume_gone(cli, volume['id'])


def test_backup_create_incremental_restore_and_delete(cli, volume_cleanup, unique_name):
    volume = make_volume(cli, volume_cleanup, unique_name('vol'), '--size', '1')
    full = cli.json('volume', 'backup', 'create', '--name', unique_name('full'), volume['id'],
                    cloud=MEMBER_CLOUD)
    volume_cleanup.add(f'/backups/{full["id"]}')
    full = wait_for(cli, 'volume backup', full['id'], 'available')
    assert (full['volume_id'], full['size'], full['is_incremental']) == \
        (volume['id'], 1, False)
    incremental = cli.json('volume', 'backup', 'create', '--incremental', '--name',
                           unique_name('incr'), volume['id'], cloud=MEMBER_CLOUD)
    volume_cleanup.add(f'/backups/{incremental["id"]}')
    incremental = wait_for(cli, 'volume backup', incremental['id'], 'available')
    assert incremental['is_incremental'] is True
    listed = {b['ID'] for b in cli.json('volume', 'backup', 'list', cloud=MEMBER_CLOUD)}
    assert {full['id'], incremental['id']} <= listed
    # A backup with an incremental child is not deleted before it.
    assert cli.run('volume', 'backup', 'delete', full['id'], cloud=MEMBER_CLOUD,
                   check=False).returncode != 0

    restored_name = unique_name('restored')
    restore = cli.json('volume', 'backup', 'restore', incremental['id'], restored_name,
                       cloud=MEMBER_CLOUD)
    volume_cleanup.add(f'/volumes/{restore["volume_id"]}')
    restored = volume_helpers.wait_for_volume(cli, restore['volume_id'])
    assert (restored['name'], restored['size']) == (restored_name, 1)

    for backup in (incremental, full):
        cli.run('volume', 'backup', 'delete', backup['id'], cloud=MEMBER_CLOUD)
        wait_gone(cli, 'volume backup', backup['id'])


def test_volume_create_from_an_image_is_bootable(cli, volume_cleanup, unique_name):
    volume = make_volume(cli, volume_cleanup, unique_name('from-image'), '--size', '1',
                         '--image', GUEST_IMAGE)
    assert volume['bootable'] in (True, 'true')
    image = cli.json('image', 'show', GUEST_IMAGE, cloud=MEMBER_CLOUD)
    assert volume['volume_image_metadata']['image_id'] == image['id']


def test_image_create_from_a_volume(cli, volume_cleanup, other_cleanup, unique_name):
    volume = make_volume(cli, volume_cleanup, unique_name('vol'), '--size', '1')
    name = unique_name('image')
    uploaded = cli.json('image', 'create', '--volume', volume['id'], '--disk-format', 'qcow2',
                        name, cloud=MEMBER_CLOUD)
    image_id = uploaded.get('image_id') or uploaded['id']
    other_cleanup('image', f'/v2/images/{image_id}')
    image = wait_for(cli, 'image', image_id, 'active')
    assert (image['name'], image['disk_format']) == (name, 'qcow2')
    # The volume is back to available once its data is uploaded.
    assert volume_helpers.wait_for_volume(cli, volume['id'])['status'] == 'available'


def test_server_add_and_remove_volume(cli, volume_cleanup, other_cleanup, unique_name):
    server = cli.json('server', 'create', '--image', GUEST_IMAGE, '--flavor', 'm1.nano',
                      '--no-network', '--wait', unique_name('server'), cloud=MEMBER_CLOUD)
    other_cleanup('compute', f'/servers/{server["id"]}')
    volume = make_volume(cli, volume_cleanup, unique_name('vol'), '--size', '1')
    cli.run('server', 'add', 'volume', server['id'], volume['id'], cloud=MEMBER_CLOUD)
    attached = volume_helpers.wait_for_volume(cli, volume['id'], status='in-use',
                                              wait=GUEST_WAIT)
    assert [a['server_id'] for a in attached['attachments']] == [server['id']]
    listed = cli.json('server', 'volume', 'list', server['id'], cloud=MEMBER_CLOUD)
    assert [v['Volume ID'] for v in listed] == [volume['id']]
    # An attached volume is not deleted.
    assert cli.run('volume', 'delete', volume['id'], cloud=MEMBER_CLOUD,
                   check=False).returncode != 0

    cli.run('server', 'remove', 'volume', server['id'], volume['id'], cloud=MEMBER_CLOUD)
    detached = volume_helpers.wait_for_volume(cli, volume['id'], wait=GUEST_WAIT)
    assert detached['attachments'] == []


def test_server_boots_from_a_volume_made_from_the_guest_image(cli, volume_cleanup,
                                                              other_cleanup, unique_name):
    volume = make_volume(cli, volume_cleanup, unique_name('boot'), '--size', '1',
                         '--image', GUEST_IMAGE)
    server = cli.json('server', 'create', '--volume', volume['id'], '--flavor', 'm1.nano',
                      '--no-network', '--wait', unique_name('server'), cloud=MEMBER_CLOUD)
    other_cleanup('compute', f'/servers/{server["id"]}')
    assert server['status'] == 'ACTIVE'
    shown = volume_helpers.wait_for_volume(cli, volume['id'], status='in-use',
                                           wait=GUEST_WAIT)
    assert [a['server_id'] for a in shown['attachments']] == [server['id']]
    deadline = time.monotonic() + GUEST_WAIT
    while '=== Stratus guest' not in cli.run('console', 'log', 'show', server['id'],
                                             cloud=MEMBER_CLOUD).stdout:
        assert time.monotonic() < deadline, 'the guest printed no banner'
        time.sleep(2)
