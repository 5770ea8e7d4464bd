"""Unmodified OpenStack clients against a running all-in-one.

The clouds come from ``$OS_CLIENT_CONFIG_FILE`` (default
``/etc/openstack/clouds.yaml``, written by devstack/stack.sh): ``stratus-admin``
(admin of project admin) and ``stratus`` (user demo, member of project demo).
When no all-in-one answers there, every test here FAILS with the reason:
``./run_tests.sh compat`` runs devstack/stack.sh first.

The all-in-one is shared: every test names what it creates uniquely
(``unique_name``) and deletes it afterwards (``cleanup``), also when it fails.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid

import openstack
import pytest
import requests
import yaml

from tests import servers

DEFAULT_CLOUDS_FILE = '/etc/openstack/clouds.yaml'
ADMIN_CLOUD = 'stratus-admin'
MEMBER_CLOUD = 'stratus'
CLI_TIMEOUT = 180
# The image devstack builds and uploads: servers are real guests (libvirt),
# which must boot far enough to answer ACPI before a stop or soft reboot ends.
GUEST_IMAGE = 'stratus-guest'
GUEST_WAIT = 180  # seconds a guest action may take under software emulation


class Cloud:
    """One entry of clouds.yaml, with a way to get tokens from it directly."""

    def __init__(self, name, entry):
        self.name = name
        self.auth = entry.get('auth') or {}
        self.region = entry.get('region_name')
        self.auth_url = self.auth['auth_url'].rstrip('/')
        # http://h:5000/v3 -> http://h:5000 (the API root; paths below add /v3).
        self.root = self.auth_url[:-3] if self.auth_url.endswith('/v3') else self.auth_url
        self.username = self.auth['username']
        self.password = self.auth['password']
        self.project_name = self.auth['project_name']

    def issue_token(self):
        """(token id, token body) of a project-scoped password token."""
        response = requests.post(f'{self.root}/v3/auth/tokens', timeout=60, json={'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': self.username, 'password': self.password,
                'domain': {'name': self.auth.get('user_domain_name', 'Default')}}}},
            'scope': {'project': {'name': self.project_name, 'domain': {
                'name': self.auth.get('project_domain_name', 'Default')}}}}})
        assert response.status_code == 201, \
            f'cloud {self.name}: password auth failed: {response.status_code} {response.text}'
        return response.headers['X-Subject-Token'], response.json()['token']

    def client(self):
        return servers.ApiClient(self.root, self.issue_token()[0])


def _clouds_file():
    return os.environ.get('OS_CLIENT_CONFIG_FILE') or DEFAULT_CLOUDS_FILE


@pytest.fixture(scope='session')
def clouds_file():
    """The clouds.yaml of the all-in-one, checked to answer; else a clear failure."""
    path = _clouds_file()
    hint = ('the compat tests need a running all-in-one: run "./run_tests.sh compat" '
            '(which runs devstack/stack.sh when needed) or devstack/stack.sh first, '
            'or point OS_CLIENT_CONFIG_FILE at the clouds.yaml of a running cloud')
    try:
        with open(path) as stream:
            clouds = (yaml.safe_load(stream) or {}).get('clouds') or {}
    except OSError as exc:
        pytest.fail(f'cannot read {path} ({exc.strerror}): {hint}', pytrace=False)
    missing = [c for c in (ADMIN_CLOUD, MEMBER_CLOUD) if c not in clouds]
    if missing:
        pytest.fail(f'{path} has no cloud(s) {", ".join(missing)}: {hint}', pytrace=False)
    root = Cloud(ADMIN_CLOUD, clouds[ADMIN_CLOUD]).root
    try:
        health = requests.get(f'{root}/healthz', timeout=10)
    except requests.RequestException as exc:
        pytest.fail(f'no identity API answers at {root} (from {path}): {exc}; {hint}',
                    pytrace=False)
    if health.status_code != 200:
        pytest.fail(f'identity at {root} is not healthy: GET /healthz -> '
                    f'{health.status_code} {health.text[:200]}; {hint}', pytrace=False)
    return path, clouds


@pytest.fixture(scope='session')
def admin_cloud(clouds_file):
    return Cloud(ADMIN_CLOUD, clouds_file[1][ADMIN_CLOUD])


@pytest.fixture(scope='session')
def member_cloud(clouds_file):
    return Cloud(MEMBER_CLOUD, clouds_file[1][MEMBER_CLOUD])


@pytest.fixture(scope='session')
def admin_api(admin_cloud):
    """The identity API with a token of stratus-admin (for checks and clean-up)."""
    return admin_cloud.client()


class CLIError(AssertionError):
    pass


class OpenStackCLI:
    """Runs the unmodified ``openstack`` command as a subprocess."""

    def __init__(self, clouds_path):
        self.executable = (os.path.join(os.path.dirname(sys.executable), 'openstack')
                           if os.path.exists(os.path.join(os.path.dirname(sys.executable),
                                                          'openstack'))
                           else shutil.which('openstack'))
        assert self.executable, 'the openstack CLI (python-openstackclient) is not installed'
        # Only our clouds.yaml: no OS_* variable of the caller may change what runs.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        self.env['OS_CLIENT_CONFIG_FILE'] = clouds_path

    def run(self, *args, cloud=ADMIN_CLOUD, check=True):
        """``openstack [--os-cloud CLOUD] ARGS``; a CompletedProcess (asserted to exit 0 by default)."""
        command = [self.executable]
        if cloud:
            command += ['--os-cloud', cloud]
        command += [str(a) for a in args]
        completed = subprocess.run(command, env=self.env, capture_output=True, text=True,
                                   timeout=CLI_TIMEOUT)
        if check and completed.returncode != 0:
            raise CLIError(f'{" ".join(_masked(command))} exited {completed.returncode}:\n'
                           f'{completed.stderr}{completed.stdout}')
        return completed

    def json(self, *args, cloud=ADMIN_CLOUD):
        """``openstack ARGS -f json``, parsed."""
        completed = self.run(*args, '-f', 'json', cloud=cloud)
        try:
            return json.loads(completed.stdout)
        except ValueError:
            raise CLIError(f'openstack {" ".join(_masked(args))} printed no JSON: '
                           f'{completed.stdout!r} {completed.stderr!r}') from None


def _masked(command):
    masked, hide = [], False
    for arg in command:
        masked.append('***' if hide else arg)
        hide = arg in ('--password', '--os-password', '--os-application-credential-secret',
                       '--secret')
    return masked


@pytest.fixture(scope='session')
def cli(clouds_file):
    return OpenStackCLI(clouds_file[0])


@pytest.fixture
def unique_name(request):
    """``unique_name('p')`` -> ``compat-<test>-p-<random>``: never clashes on a shared cloud."""
    test = request.node.name.replace('test_', '', 1)[:24].replace('[', '-').rstrip(']')

    def make(kind):
        return f'compat-{test}-{kind}-{uuid.uuid4().hex[:8]}'
    return make


class Cleanup:
    """Identity resources to delete through the API at teardown (404 is fine)."""

    def __init__(self, api):
        self.api = api
        self.paths = []

    def add(self, path):
        self.paths.append(path)
        return path

    def project(self, project_id):
        return self.add(f'/v3/projects/{project_id}')

    def user(self, user_id):
        return self.add(f'/v3/users/{user_id}')

    def run(self):
        failures = []
        for path in reversed(self.paths):
            response = self.api.delete(path)
            if response.status_code not in (204, 404):
                failures.append(f'DELETE {path} -> {response.status_code} {response.text[:200]}')
        assert not failures, 'clean-up failed: ' + '; '.join(failures)


@pytest.fixture
def cleanup(admin_api):
    tracker = Cleanup(admin_api)
    yield tracker
    tracker.run()


def find_by_name(api, collection, name):
    """The one ``collection`` entry called ``name`` (admin view), or None."""
    response = api.get(f'/v3/{collection}', params={'name': name})
    assert response.status_code == 200, response.text
    found = response.json()[collection]
    assert len(found) <= 1, found
    return found[0] if found else None


# Virtual size of the qcow2 the image tests upload.
VIRTUAL_SIZE = 64 * 1024 * 1024


@pytest.fixture(scope='session')
def qcow2_file(tmp_path_factory):
    """A real qcow2 (qemu-img convert of 3 MiB of data, 64 MiB virtual)."""
    qemu_img = shutil.which('qemu-img')
    if qemu_img is None:
        pytest.fail('qemu-img is not installed; the image compat tests need it '
                    '(apt-get install -y qemu-utils)', pytrace=False)
    directory = tmp_path_factory.mktemp('compat-image')
    raw = directory / 'data.raw'
    raw.write_bytes(hashlib.sha512(b'compat').digest() * (3 * 1024 * 1024 // 64))
    path = directory / 'disk.qcow2'
    subprocess.run([qemu_img, 'convert', '-q', '-f', 'raw', '-O', 'qcow2', str(raw), str(path)],
                   check=True, capture_output=True)
    subprocess.run([qemu_img, 'resize', '-q', '-f', 'qcow2', str(path), str(VIRTUAL_SIZE)],
                   check=True, capture_output=True)
    return path


@pytest.fixture(scope='module')
def connect(clouds_file):
    """``connect(cloud, **overrides)`` -> ``openstack.connect(cloud=cloud, **overrides)`` on the
    all-in-one's clouds.yaml (overrides such as another user's whole ``auth`` dict)."""
    connections = []
    saved = os.environ.get('OS_CLIENT_CONFIG_FILE')
    os.environ['OS_CLIENT_CONFIG_FILE'] = clouds_file[0]

    def make(cloud, **overrides):
        connection = openstack.connect(cloud=cloud, **overrides)
        connections.append(connection)
        return connection
    try:
        yield make
    finally:
        for connection in connections:
            connection.close()
        if saved is None:
            os.environ.pop('OS_CLIENT_CONFIG_FILE', None)
        else:
            os.environ['OS_CLIENT_CONFIG_FILE'] = saved
