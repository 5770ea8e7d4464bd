"""The unmodified ``openstack`` CLI against the all-in-one's compute service.

The flows of the issue: ``flavor create/list``, ``keypair create``,
``server create --wait --no-network`` (OSC's spelling of ``--nic none``:
``--network none`` would look for a network called "none"), ``server list/show``,
stop/start/reboot/pause/suspend/resize/``resize confirm``, ``server delete
--wait``, ``hypervisor list``, ``compute service list/set --disable``,
``quota show/set`` and ``usage list``.  Servers are real guests booted from the
all-in-one's guest image (libvirt).  Whatever a test creates is deleted at the end
through the APIs, also when it fails.
"""
import time

import pytest

from tests import servers
from tests.compat.conftest import GUEST_IMAGE, GUEST_WAIT, MEMBER_CLOUD



def endpoint(token_body, service_type):
    for service in token_body.get('catalog') or []:
        if service['type'] == service_type:
            for item in service['endpoints']:
                if item['interface'] == 'public':
                    return item['url']
    raise AssertionError(f'the catalog has no public {service_type} endpoint')


@pytest.fixture(scope='session')
def compute_api(admin_cloud):
    """The compute API (2.60) with a stratus-admin token, for checks and clean-up."""
    token, body = admin_cloud.issue_token()
    return servers.ComputeClient(endpoint(body, 'compute'), token)


@pytest.fixture
def compute_cleanup(compute_api):
    """``compute_cleanup(path)``: DELETE that compute path at teardown; servers are
    awaited until gone."""
    paths = []
    yield paths.append
    failures = []
    for path in reversed(paths):
        response = compute_api.delete(path)
        if response.status_code not in (202, 204, 404):
            failures.append(f'DELETE {path} -> {response.status_code} {response.text[:200]}')
        elif path.startswith('/servers/'):
            deadline = time.monotonic() + GUEST_WAIT
            while compute_api.get(path).status_code != 404 and time.monotonic() < deadline:
                time.sleep(0.5)
    assert not failures, 'compute clean-up failed: ' + '; '.join(failures)


@pytest.fixture(scope='module')
def member_image(cli):
    """The all-in-one's public guest image, as project demo finds it with the CLI."""
    return cli.json('image', 'show', GUEST_IMAGE, cloud=MEMBER_CLOUD)['id']


def wait_for_status(cli, server_id, status):
    """``openstack server show`` until the server is ``status`` with no task running."""
    deadline = time.monotonic() + GUEST_WAIT
    while True:
        shown = cli.json('server', 'show', server_id, cloud=MEMBER_CLOUD)
        if shown['status'] == status and not shown.get('OS-EXT-STS:task_state'):
            return shown
        assert shown['status'] != 'ERROR', shown
        assert time.monotonic() < deadline, f'server is {shown["status"]}, not {status}'
        time.sleep(1)


def test_flavor_create_list_show_delete(cli, compute_cleanup, unique_name):
    name = unique_name('flavor')
    created = cli.json('flavor', 'create', '--ram', '256', '--disk', '2', '--vcpus', '2', name)
    compute_cleanup(f'/flavors/{created["id"]}')
    assert (created['name'], created['ram'], created['disk'], created['vcpus']) == \
        (name, 256, 2, 2)
    assert created['os-flavor-access:is_public'] is True
    listed = {f['Name']: f for f in cli.json('flavor', 'list')}
    assert listed[name]['RAM'] == 256 and listed[name]['VCPUs'] == 2
    # devstack/stack.sh made the usual flavors.
    assert {'m1.nano', 'm1.micro', 'm1.tiny', 'm1.small'} <= set(listed)
    assert (listed['m1.nano']['RAM'], listed['m1.nano']['VCPUs'], listed['m1.nano']['Disk']) \
        == (128, 1, 1)
    assert cli.json('flavor', 'show', name)['id'] == created['id']
    cli.run('flavor', 'delete', name)
    assert name not in {f['Name'] for f in cli.json('flavor', 'list')}


def test_keypair_create_list_show_delete(cli, unique_name):
    name = unique_name('kp')
    created = cli.run('keypair', 'create', name, cloud=MEMBER_CLOUD)
    try:
        assert 'PRIVATE KEY' in created.stdout
        assert name in {k['Name'] for k in cli.json('keypair', 'list', cloud=MEMBER_CLOUD)}
        shown = cli.json('keypair', 'show', name, cloud=MEMBER_CLOUD)
        assert shown['name'] == name and shown['fingerprint']
        # The admin project does not see demo's key pair.
        assert name not in {k['Name'] for k in cli.json('keypair', 'list')}
    finally:
        cli.run('keypair', 'delete', name, cloud=MEMBER_CLOUD, check=False)
    assert name not in {k['Name'] for k in cli.json('keypair', 'list', cloud=MEMBER_CLOUD)}


def test_server_lifecycle(cli, member_image, compute_cleanup, unique_name):
    name = unique_name('server')
    created = cli.json('server', 'create', '--image', member_image, '--flavor', 'm1.nano',
                       '--no-network', '--wait', name, cloud=MEMBER_CLOUD)
    compute_cleanup(f'/servers/{created["id"]}')
    assert (created['name'], created['status']) == (name, 'ACTIVE')

    listed = {s['Name']: s for s in cli.json('server', 'list', cloud=MEMBER_CLOUD)}
    assert listed[name]['Status'] == 'ACTIVE' and listed[name]['Flavor'] == 'm1.nano'
    shown = cli.json('server', 'show', name, cloud=MEMBER_CLOUD)
    assert shown['id'] == created['id'] and shown['status'] == 'ACTIVE'

    for command, status in ((('server', 'stop'), 'SHUTOFF'), (('server', 'start'), 'ACTIVE'),
                            (('server', 'reboot'), 'ACTIVE'),
                            (('server', 'reboot', '--hard'), 'ACTIVE'),
                            (('server', 'pause'), 'PAUSED'), (('server', 'unpause'), 'ACTIVE'),
                            (('server', 'suspend'), 'SUSPENDED'),
                            (('server', 'resume'), 'ACTIVE')):
        cli.run(*command, name, cloud=MEMBER_CLOUD)
        wait_for_status(cli, created['id'], status)

    cli.run('server', 'resize', '--flavor', 'm1.micro', '--wait', name, cloud=MEMBER_CLOUD)
    wait_for_status(cli, created['id'], 'VERIFY_RESIZE')
    cli.run('server', 'resize', 'confirm', name, cloud=MEMBER_CLOUD)
    resized = wait_for_status(cli, created['id'], 'ACTIVE')
    assert 'm1.micro' in str(resized['flavor'])

    # The resized guest boots from its own disk to the guest image's banner.
    deadline = time.monotonic() + GUEST_WAIT
    while '=== Stratus guest ' not in cli.run('console', 'log', 'show', name,
                                              cloud=MEMBER_CLOUD).stdout:
        assert time.monotonic() < deadline, 'no banner in "openstack console log show"'
        time.sleep(2)

    cli.run('server', 'delete', '--wait', name, cloud=MEMBER_CLOUD)
    assert name not in {s['Name'] for s in cli.json('server', 'list', cloud=MEMBER_CLOUD)}


def test_hypervisors_and_services(cli):
    hypervisors = cli.json('hypervisor', 'list')
    assert hypervisors and all(h['State'] == 'up' for h in hypervisors), hypervisors
    services = cli.json('compute', 'service', 'list')
    binaries = {s['Binary'] for s in services}
    assert {'nova-compute', 'nova-conductor'} <= binaries
    assert all(s['State'] == 'up' for s in services), services
    agent = next(s for s in services if s['Binary'] == 'nova-compute')
    cli.run('compute', 'service', 'set', '--disable', '--disable-reason', 'compat test',
            agent['Host'], 'nova-compute')
    try:
        listed = cli.json('compute', 'service', 'list', '--long', '--service', 'nova-compute')
        mine = next(s for s in listed if s['Host'] == agent['Host'])
        assert (mine['Status'], mine['Disabled Reason']) == ('disabled', 'compat test')
    finally:
        cli.run('compute', 'service', 'set', '--enable', agent['Host'], 'nova-compute')
    listed = cli.json('compute', 'service', 'list', '--service', 'nova-compute')
    assert next(s for s in listed if s['Host'] == agent['Host'])['Status'] == 'enabled'


def test_quota_show_and_set(cli, admin_api, cleanup, unique_name):
    created = admin_api.post('/v3/projects', json={'project': {
        'name': unique_name('project'), 'domain_id': 'default'}})
    assert created.status_code == 201, created.text
    project = cleanup.project(created.json()['project']['id']).rsplit('/', 1)[-1]
    shown = _quotas(cli.json('quota', 'show', '--compute', project))
    assert (shown['instances'], shown['cores'], shown['ram']) == (10, 20, 51200)
    cli.run('quota', 'set', '--instances', '3', '--cores', '6', project)
    shown = _quotas(cli.json('quota', 'show', '--compute', project))
    assert (shown['instances'], shown['cores']) == (3, 6)


def _quotas(listing):
    """``quota show -f json`` as ``{resource: limit}`` (a list of rows in OSC 10)."""
    if isinstance(listing, dict):
        return listing
    return {row['Resource']: row['Limit'] for row in listing}


def test_usage_list_and_show(cli, member_cloud, member_image, compute_cleanup, unique_name):
    # A server that lived in demo in the period the usage covers (the last four weeks).
    created = cli.json('server', 'create', '--image', member_image, '--flavor', 'm1.nano',
                       '--no-network', '--wait', unique_name('server'),
                       cloud=MEMBER_CLOUD)
    compute_cleanup(f'/servers/{created["id"]}')
    cli.run('server', 'delete', '--wait', created['id'], cloud=MEMBER_CLOUD)
    demo = member_cloud.issue_token()[1]['project']['id']
    # OSC shows the project's name when it may list projects, else its id.
    rows = [row for row in cli.json('usage', 'list')
            if row['Project'] in (demo, member_cloud.project_name)]
    assert len(rows) == 1, rows
    assert _count(rows[0]['Servers']) >= 1 and float(rows[0]['RAM MB-Hours']) > 0
    shown = cli.json('usage', 'show', '--project', member_cloud.project_name)
    assert _count(shown['Servers']) >= 1
    assert float(shown['RAM MB-Hours']) > 0


def _count(servers_column):
    """The ``Servers`` column: a count in the table, the server usages in JSON."""
    return len(servers_column) if isinstance(servers_column, list) else int(servers_column)
