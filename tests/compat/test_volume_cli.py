"""The unmodified ``openstack`` CLI against the all-in-one's volume service.

The flows the service serves so far: ``volume create --size``, ``volume
list/show/set/delete`` (``set --size`` extends), ``volume type
create/list/show/set/delete`` and a volume of a new type, ``volume service
list``, ``quota show --volume`` and ``quota set --volumes``; tenant isolation
between project demo and a project made for the test.  Whatever a test
creates is deleted at the end through the API, also when it fails.
(Snapshots, backups, attachments and images: test_volume_cli_pending.py.)
"""
import socket

import pytest

from tests.compat import volume_helpers
from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD, OpenStackCLI

OTHER_CLOUD = 'stratus-other'


@pytest.fixture(scope='session')
def volume_api(admin_cloud):
    return volume_helpers.admin_volume_api(admin_cloud)


@pytest.fixture
def volume_cleanup(volume_api):
    tracker = volume_helpers.VolumeCleanup(volume_api)
    yield tracker
    tracker.run()


def make_volume(cli, volume_cleanup, name, *options, cloud=MEMBER_CLOUD):
    created = cli.json('volume', 'create', '--size', '1', *options, name, cloud=cloud)
    volume_cleanup.add(f'/volumes/{created["id"]}')
    return created


def test_volume_create_list_show_set_and_delete(cli, volume_cleanup, unique_name):
    name = unique_name('vol')
    created = make_volume(cli, volume_cleanup, name)
    assert (created['name'], created['size'], created['status']) == (name, 1, 'creating')
    shown = volume_helpers.wait_for_volume(cli, name)
    assert shown['id'] == created['id']
    assert shown['type'] == volume_helpers.DEFAULT_TYPE
    # Cinder sends bootable as the string "false"; OSC shows it as a boolean.
    assert shown['bootable'] in (False, 'false') and shown['multiattach'] is False
    listed = {v['ID']: v for v in cli.json('volume', 'list', cloud=MEMBER_CLOUD)}
    assert (listed[created['id']]['Name'], listed[created['id']]['Status'],
            listed[created['id']]['Size']) == (name, 'available', 1)

    renamed = unique_name('renamed')
    cli.run('volume', 'set', '--name', renamed, '--description', 'compat volume',
            '--property', 'purpose=compat', created['id'], cloud=MEMBER_CLOUD)
    shown = cli.json('volume', 'show', renamed, cloud=MEMBER_CLOUD)
    assert (shown['description'], shown['properties']) == ('compat volume',
                                                          {'purpose': 'compat'})
    cli.run('volume', 'set', '--size', '2', renamed, cloud=MEMBER_CLOUD)
    shown = volume_helpers.wait_for_volume(cli, renamed)
    assert shown['size'] == 2

    cli.run('volume', 'delete', renamed, cloud=MEMBER_CLOUD)
    volume_helpers.wait_for_volume_gone(cli, created['id'])
    assert created['id'] not in {v['ID'] for v in cli.json('volume', 'list', cloud=MEMBER_CLOUD)}


def test_volume_type_create_set_and_a_volume_of_that_type(cli, volume_cleanup, unique_name):
    name = unique_name('type')
    made = cli.json('volume', 'type', 'create', '--description', 'compat type',
                    '--property', f'volume_backend_name={volume_helpers.DEFAULT_TYPE}', name)
    volume_cleanup.add(f'/types/{made["id"]}')
    assert (made['name'], made['is_public']) == (name, True)
    assert made['properties'] == {'volume_backend_name': volume_helpers.DEFAULT_TYPE}
    assert name in {t['Name'] for t in cli.json('volume', 'type', 'list', cloud=MEMBER_CLOUD)}
    cli.run('volume', 'type', 'set', '--property', 'compat=yes', name)
    assert cli.json('volume', 'type', 'show', name)['properties'] == {
        'volume_backend_name': volume_helpers.DEFAULT_TYPE, 'compat': 'yes'}
    # A member may not create types.
    refused = cli.run('volume', 'type', 'create', unique_name('denied'), cloud=MEMBER_CLOUD,
                      check=False)
    assert refused.returncode != 0 and '403' in refused.stderr, refused.stderr

    volume = make_volume(cli, volume_cleanup, unique_name('vol'), '--type', name)
    assert volume_helpers.wait_for_volume(cli, volume['id'])['type'] == name
    # A type in use is not deleted (Cinder's 400 VolumeTypeInUse).
    assert cli.run('volume', 'type', 'delete', name, check=False).returncode != 0
    cli.run('volume', 'delete', volume['id'], cloud=MEMBER_CLOUD)
    volume_helpers.wait_for_volume_gone(cli, volume['id'])
    cli.run('volume', 'type', 'delete', name)
    assert name not in {t['Name'] for t in cli.json('volume', 'type', 'list')}


def test_volume_service_list_shows_the_scheduler_and_this_hosts_backend_up(cli):
    services = cli.json('volume', 'service', 'list')
    states = {(s['Binary'], s['Host']): (s['Status'], s['State']) for s in services}
    backend = f'{socket.gethostname()}@{volume_helpers.DEFAULT_TYPE}'
    assert states[('cinder-volume', backend)] == ('enabled', 'up'), states
    assert ('enabled', 'up') in {v for (binary, _), v in states.items()
                                 if binary == 'cinder-scheduler'}, states
    refused = cli.run('volume', 'service', 'list', cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0


def _quotas(listing):
    return {row['Resource']: row['Limit'] for row in listing}


@pytest.fixture
def new_project(admin_api, cleanup, unique_name):
    """The id of a project made for the test (its quotas are the defaults)."""
    created = admin_api.post('/v3/projects', json={'project': {
        'name': unique_name('project'), 'domain_id': 'default'}})
    assert created.status_code == 201, created.text
    return cleanup.project(created.json()['project']['id']).rsplit('/', 1)[-1]


def test_quota_show_and_set(cli, new_project):
    shown = _quotas(cli.json('quota', 'show', '--volume', new_project))
    assert {k: shown[k] for k in ('volumes', 'snapshots', 'backups', 'gigabytes',
                                  'backup-gigabytes', 'per-volume-gigabytes')} == {
        'volumes': 10, 'snapshots': 10, 'backups': 10, 'gigabytes': 1000,
        'backup-gigabytes': 1000, 'per-volume-gigabytes': -1}
    cli.run('quota', 'set', '--volumes', '3', '--gigabytes', '30', new_project)
    shown = _quotas(cli.json('quota', 'show', '--volume', new_project))
    assert (shown['volumes'], shown['gigabytes']) == (3, 30)
    # The member's own project, with usage.
    usage = cli.json('quota', 'show', '--volume', '--usage', cloud=MEMBER_CLOUD)
    assert 'volumes' in {row['Resource'] for row in usage}
    refused = cli.run('quota', 'set', '--volumes', '1000', new_project, cloud=MEMBER_CLOUD,
                      check=False)
    assert refused.returncode != 0, refused.stdout


@pytest.fixture(scope='module')
def other_cli(clouds_file, admin_cloud, tmp_path_factory):
    """The CLI with the clouds of the all-in-one and ``stratus-other``, a member of a
    project made for this module."""
    with volume_helpers.other_project_clouds(clouds_file[1], admin_cloud,
                                             tmp_path_factory.mktemp('compat-volume'),
                                             OTHER_CLOUD) as (path, _):
        yield OpenStackCLI(path)


def test_another_projects_volume_is_invisible_and_untouchable(other_cli, volume_cleanup,
                                                              unique_name):
    cli = other_cli
    volume = make_volume(cli, volume_cleanup, unique_name('vol'))
    volume_helpers.wait_for_volume(cli, volume['id'])
    assert volume['id'] not in {v['ID'] for v in cli.json('volume', 'list', cloud=OTHER_CLOUD)}
    for command in (('volume', 'show', volume['id']),
                    ('volume', 'set', '--name', 'stolen', volume['id']),
                    ('volume', 'set', '--size', '2', volume['id']),
                    ('volume', 'delete', volume['id']),
                    ('volume', 'create', '--size', '1', '--source', volume['id'],
                     unique_name('clone'))):
        refused = cli.run(*command, cloud=OTHER_CLOUD, check=False)
        assert refused.returncode != 0, f'{command}: {refused.stdout}'
    # Nothing changed for its owner; the admin sees it with --all-projects.
    shown = cli.json('volume', 'show', volume['id'], cloud=MEMBER_CLOUD)
    assert (shown['name'], shown['size'], shown['status']) == (volume['name'], 1, 'available')
    assert volume['id'] in {v['ID'] for v in cli.json('volume', 'list', '--all-projects',
                                                      cloud=ADMIN_CLOUD)}
