"""``stratus image …`` run as a separate process against the real image and identity APIs."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.functional.sdk.conftest import unique

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def cli(identity, image, make_account, write_clouds_yaml, tmp_path):
    """``cli(cloud, *args, ok=True)`` runs the console script as cloud ``owner`` or ``other``,
    each a member of its own new project; ``cli.accounts`` holds their ``Account``."""
    accounts = {'owner': make_account(), 'other': make_account()}
    path = write_clouds_yaml({name: {
        'auth': {'auth_url': f'{identity.url}/v3', 'username': account.name,
                 'password': account.password, 'project_id': account.project_id,
                 'user_domain_name': 'Default'},
        'region_name': 'RegionOne'} for name, account in accounts.items()})
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get('PYTHONPATH')])))
    script = pathlib.Path(sys.executable).with_name('stratus')

    def run(cloud, *args, ok=True, stdin=None):
        done = subprocess.run([str(script), '--os-cloud', cloud, *args], env=env,
                              cwd=tmp_path, input=stdin, capture_output=True, timeout=120)
        assert (done.returncode == 0) == ok, (args, done.stdout, done.stderr)
        return done
    run.accounts = accounts
    return run


def _json(done):
    return json.loads(done.stdout)


def test_image_round_trip(cli, tmp_path):
    data = os.urandom(200_000)
    source = tmp_path / 'disk.raw'
    source.write_bytes(data)
    name = unique('cli-image')
    created = cli('owner', 'image', 'create', name, '--file', str(source), '--disk-format',
                  'raw', '--container-format', 'bare', '--property', 'os_distro=cirros',
                  '--private', '--progress', '--tag', 'base', '-f', 'json')
    assert created.stderr.decode().rstrip().endswith('100%')
    shown = _json(created)
    assert (shown['name'], shown['status'], shown['size'], shown['visibility']) == (
        name, 'active', len(data), 'private')
    assert shown['properties']['os_distro'] == 'cirros'
    assert shown['tags'] == ['base']

    listed = _json(cli('owner', 'image', 'list', '-f', 'json'))
    assert {'ID': shown['id'], 'Name': name, 'Status': 'active'} in listed
    long_listing = cli('owner', 'image', 'list', '--long', '--private').stdout.decode()
    assert shown['checksum'] in long_listing
    assert _json(cli('owner', 'image', 'show', shown['id'], '-f', 'json'))['name'] == name

    cli('owner', 'image', 'set', name, '--name', f'{name}-2', '--property', 'os_distro=ubuntu',
        '--property', 'hw_disk_bus=scsi', '--shared')
    changed = _json(cli('owner', 'image', 'show', f'{name}-2', '-f', 'json'))
    assert changed['properties']['os_distro'] == 'ubuntu'
    assert (changed['visibility'], changed['properties']['hw_disk_bus']) == ('shared', 'scsi')
    cli('owner', 'image', 'unset', shown['id'], '--property', 'hw_disk_bus', '--tag', 'base')
    unset = _json(cli('owner', 'image', 'show', shown['id'], '-f', 'json'))
    assert 'hw_disk_bus' not in unset['properties'] and unset['tags'] == []

    target = tmp_path / 'saved.raw'
    cli('owner', 'image', 'save', shown['id'], '--file', str(target))
    assert target.read_bytes() == data
    assert cli('owner', 'image', 'save', shown['id']).stdout == data

    cli('owner', 'image', 'delete', shown['id'])
    missing = cli('owner', 'image', 'show', shown['id'], ok=False)
    assert f"No image with a name or ID of '{shown['id']}'" in missing.stderr.decode()


def test_upload_from_standard_input(cli):
    data = os.urandom(100_000)
    created = _json(cli('owner', 'image', 'create', unique('cli-image'), '--file', '-',
                        '-f', 'json', stdin=data))
    assert (created['status'], created['size']) == ('active', len(data))


def test_unreadable_file_creates_nothing(cli, tmp_path):
    name = unique('cli-image')
    failed = cli('owner', 'image', 'create', name, '--file', str(tmp_path / 'absent'),
                 ok=False)
    assert failed.stderr.decode().strip() == (f"Cannot read {tmp_path / 'absent'}: "
                                              'No such file or directory.')
    assert _json(cli('owner', 'image', 'list', '--name', name, '-f', 'json')) == []


def test_refused_upload_deletes_the_new_image(cli, tmp_path):
    source = tmp_path / 'disk.raw'
    source.write_bytes(os.urandom(10_000))
    name = unique('cli-image')
    failed = cli('owner', 'image', 'create', name, '--file', str(source), '--disk-format',
                 'qcow2', ok=False)
    assert '(HTTP 400)' in failed.stderr.decode()
    assert _json(cli('owner', 'image', 'list', '--name', name, '-f', 'json')) == []


def test_sharing_with_another_project(cli, tmp_path):
    source = tmp_path / 'disk.raw'
    source.write_bytes(os.urandom(10_000))
    image_id = cli('owner', 'image', 'create', unique('cli-image'), '--file', str(source),
                   '-f', 'value', '-c', 'id').stdout.decode().strip()
    other = cli.accounts['other'].project_id
    member = _json(cli('owner', 'image', 'add', 'project', image_id, other, '-f', 'json'))
    assert (member['image_id'], member['member_id'], member['status']) == (
        image_id, other, 'pending')
    assert image_id not in cli('other', 'image', 'list', '-f', 'value', '-c', 'ID').stdout.decode()
    cli('other', 'image', 'set', image_id, '--accept')
    assert image_id in cli('other', 'image', 'list', '-f', 'value', '-c', 'ID').stdout.decode()
    members = _json(cli('owner', 'image', 'member', 'list', image_id, '-f', 'json'))
    assert members == [{'Image ID': image_id, 'Member ID': other, 'Status': 'accepted'}]
    cli('owner', 'image', 'remove', 'project', image_id, other)
    cli('other', 'image', 'show', image_id, ok=False)
