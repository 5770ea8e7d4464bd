"""What the volume compat tests share: the block-storage API of the all-in-one
(for checks and clean-up), and waiting for a volume through the CLI.

The test modules make their fixtures from ``admin_volume_api`` and
``VolumeCleanup``.
"""
import contextlib
import os
import time

import yaml

from tests import servers
from tests.compat.conftest import MEMBER_CLOUD

VOLUME_WAIT = 120  # seconds a volume operation of the all-in-one may take
# The volume type devstack/lib/volume makes and names default (VOLUME_BACKEND_NAME).
DEFAULT_TYPE = 'file-1'


def endpoint(token_body, service_type):
    for service in token_body.get('catalog') or []:
        if service['type'] == service_type:
            for item in service['endpoints']:
                if item['interface'] == 'public':
                    return item['url']
    raise AssertionError(f'the catalog has no public {service_type} endpoint')


def admin_volume_api(admin_cloud):
    """The block-storage API (``/v3/<admin project>``) with a stratus-admin token."""
    token, body = admin_cloud.issue_token()
    return servers.ApiClient(endpoint(body, 'block-storage'), token)


class VolumeCleanup:
    """Block-storage API paths (``/volumes/<id>``, ``/types/<id>`` …) to DELETE at
    teardown, last added first; 404 is fine.  A volume is force-deleted (whatever
    its status).  Each is waited for until gone: a volume's type, or a snapshot's
    volume, cannot be deleted before."""

    def __init__(self, api):
        self.api = api
        self.paths = []

    def add(self, path):
        self.paths.append(path)
        return path

    def run(self):
        failures = []
        for path in reversed(self.paths):
            volume = path.startswith('/volumes/')
            response = self.api.delete(path, params={'force': True} if volume else None,
                                       headers={'OpenStack-API-Version': 'volume 3.65'})
            if response.status_code not in (202, 204, 404):
                failures.append(f'DELETE {path} -> {response.status_code} '
                                f'{response.text[:200]}')
                continue
            deadline = time.monotonic() + VOLUME_WAIT
            while self.api.get(path).status_code != 404:
                if time.monotonic() > deadline:
                    failures.append(f'{path} still exists {VOLUME_WAIT} s after its DELETE')
                    break
                time.sleep(1)
        assert not failures, 'volume clean-up failed: ' + '; '.join(failures)


def wait_for_volume(cli, name_or_id, status='available', cloud=MEMBER_CLOUD,
                    wait=VOLUME_WAIT):
    """``openstack volume show`` until the volume is ``status``; fails at once on error."""
    deadline = time.monotonic() + wait
    while True:
        shown = cli.json('volume', 'show', name_or_id, cloud=cloud)
        if shown['status'] == status:
            return shown
        assert not shown['status'].startswith('error'), \
            f'volume {name_or_id} is {shown["status"]}, it will not become {status}'
        assert time.monotonic() < deadline, \
            f'volume {name_or_id} is {shown["status"]} after {wait} s, not {status}'
        time.sleep(1)


def wait_for_volume_gone(cli, name_or_id, cloud=MEMBER_CLOUD, wait=VOLUME_WAIT):
    deadline = time.monotonic() + wait
    while cli.run('volume', 'show', name_or_id, cloud=cloud, check=False).returncode == 0:
        assert time.monotonic() < deadline, f'volume {name_or_id} still exists after {wait} s'
        time.sleep(1)


@contextlib.contextmanager
def other_project_clouds(clouds, admin_cloud, directory, cloud_name):
    """A project with a member of its own, as cloud ``cloud_name`` of a clouds.yaml
    (written in ``directory``) that has the all-in-one's ``clouds`` too: yields
    ``(clouds.yaml path, that cloud's entry)``; the user and project are deleted after."""
    admin = admin_cloud.client()
    name = servers.unique_name('compat-volume-other')
    project = admin.post('/v3/projects', json={'project': {
        'name': name, 'domain_id': 'default'}})
    assert project.status_code == 201, project.text
    project_id = project.json()['project']['id']
    password = servers.unique_name('pw')
    user = admin.post('/v3/users', json={'user': {
        'name': name, 'password': password, 'domain_id': 'default',
        'default_project_id': project_id}})
    assert user.status_code == 201, user.text
    user_id = user.json()['user']['id']
    try:
        member = next(r['id'] for r in admin.get('/v3/roles').json()['roles']
                      if r['name'] == 'member')
        granted = admin.put(f'/v3/projects/{project_id}/users/{user_id}/roles/{member}')
        assert granted.status_code == 204, granted.text
        entry = dict(clouds[MEMBER_CLOUD])
        entry['auth'] = dict(entry['auth'], username=name, password=password,
                             project_name=name)
        path = os.path.join(directory, 'clouds.yaml')
        with open(path, 'w') as stream:
            yaml.safe_dump({'clouds': {**clouds, cloud_name: entry}}, stream)
        yield path, entry
    finally:
        admin.delete(f'/v3/users/{user_id}')
        admin.delete(f'/v3/projects/{project_id}')
