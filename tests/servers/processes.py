"""Processes of the helpers: API servers under gunicorn, conductors and agents.

``ServiceProcess`` is an API on a free port, waited for until ``/healthz``
answers; ``BackgroundProcess`` a conductor or an agent; ``ApiClient`` a
small HTTP client that carries a token.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import requests

ADMIN_PASSWORD = 'admin-secret'
TRANSPORT_URL = os.environ.get('STRATUS_TEST_TRANSPORT_URL',
                               'rabbit://guest:guest@127.0.0.1:5672/')


def unique_name(prefix):
    """A name no other test (or run) uses: tests share one server per session."""
    return f'{prefix}-{uuid.uuid4().hex[:12]}'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def bin_path(name):
    """A console script of this virtualenv (the one running the tests)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.path.exists(path) else shutil.which(name)


def manage(conf_path, service, *args):
    """Run ``stratus-manage <service> <args>``; a failure shows what it printed."""
    result = subprocess.run(
        [bin_path('stratus-manage'), '--config-file', conf_path, service, *args],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'stratus-manage {service} {args[0] if args else ""} failed '
                           f'(exit {result.returncode}):\n{result.stdout}{result.stderr}')
    return result


class ApiClient:
    """``requests`` with a base URL and, once given, an ``X-Auth-Token``."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url.rstrip('/')
        self.token = token
        self.http = requests.Session()

    def request(self, method, path, *, headers=None, **kwargs):
        all_headers = {'X-Auth-Token': self.token} if self.token else {}
        all_headers.update(headers or {})
        return self.http.request(method, self.base_url + path, headers=all_headers,
                                 timeout=60, **kwargs)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def head(self, path, **kw):
        return self.request('HEAD', path, **kw)

    def post(self, path, json=None, **kw):
        return self.request('POST', path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request('PUT', path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request('PATCH', path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)


class MicroversionClient(ApiClient):
    """An ``ApiClient`` that asks for one microversion of ``SERVICE`` on every request
    (``OpenStack-API-Version: <SERVICE> <version>``; a request's own ``headers``
    win); ``version=None`` sends none, which the API takes as its minimum."""
    SERVICE = None

    def __init__(self, base_url, token=None, version=None):
        super().__init__(base_url, token)
        self.version = version

    def request(self, method, path, *, headers=None, **kwargs):
        all_headers = ({'OpenStack-API-Version': f'{self.SERVICE} {self.version}'}
                       if self.version else {})
        all_headers.update(headers or {})
        return super().request(method, path, headers=all_headers, **kwargs)


def password_auth(username, password, project=None, domain=None, system=False,
                  user_domain='Default'):
    """The body of a password ``POST /v3/auth/tokens`` request."""
    auth = {'identity': {'methods': ['password'], 'password': {'user': {
        'name': username, 'domain': {'name': user_domain}, 'password': password}}}}
    if project:
        auth['scope'] = {'project': {'name': project, 'domain': {'name': 'Default'}}}
    elif domain:
        auth['scope'] = {'domain': {'name': domain}}
    elif system:
        auth['scope'] = {'system': {'all': True}}
    return {'auth': auth}


class ServiceProcess:
    """A service API process under gunicorn: start, wait until healthy, stop."""

    program = None

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.conf_path = os.path.join(directory, f'{self.program}.conf')
        self.log_path = os.path.join(directory, f'{self.program}.log')
        self.process = None
        self._log = None

    def start_process(self):
        self._log = open(self.log_path, 'w')
        self.process = subprocess.Popen([bin_path(self.program), '--config-file', self.conf_path],
                                        stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise
        return self

    def wait_healthy(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'{self.program} exited: {self.log_tail()}')
            try:
                if requests.get(f'{self.url}/healthz', timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                # Also timeouts: gunicorn accepts before a worker has loaded the app.
                pass
            time.sleep(0.2)
        raise RuntimeError(f'{self.program} did not start: {self.log_tail()}')

    def log_tail(self, lines=40):
        with open(self.log_path) as log:
            return ''.join(log.readlines()[-lines:])

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def client(self, token):
        return ApiClient(self.url, token)


class BackgroundProcess:
    """A long-running console script (a conductor or an agent), logging to a file."""

    def __init__(self, name, argv, log_path):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.process = None
        self._log = None

    def start(self):
        self._log = open(self.log_path, 'w')
        self.process = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=40):
        with open(self.log_path) as log:
            return ''.join(log.readlines()[-lines:])

    def terminate(self):
        """Ask for a graceful stop (SIGTERM: the service finishes what it is doing)."""
        if self.running():
            self.process.terminate()

    def stop(self, timeout=30):
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def service_auth_conf(identity, username, password):
    """``[keystone_authtoken]`` and ``[service_user]`` sections for a service user."""
    credentials = f"""auth_url = {identity.url}/v3
auth_type = password
username = {username}
password = {password}
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
"""
    return (f'[keystone_authtoken]\nwww_authenticate_uri = {identity.url}\n{credentials}'
            f'token_cache_time = 2\n\n[service_user]\n{credentials}')
