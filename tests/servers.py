"""Test helpers that run real Stratus processes and real databases.

Shared by the functional, compat and benchmark code: a throw-away database
on SQLite, MariaDB or PostgreSQL, an identity API under gunicorn on a free
port, and a small HTTP client that carries a token.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import requests
import sqlalchemy as sa

# The defaults are the servers and the openstack_citest user that
# ./run_tests.sh prepares, so that pytest can also be run directly afterwards
# (a fresh Debian's root and postgres have no password login over TCP).
MYSQL_URL = os.environ.get('STRATUS_TEST_MYSQL_URL',
                           'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1:3306')
POSTGRESQL_URL = os.environ.get(
    'STRATUS_TEST_POSTGRESQL_URL',
    'postgresql+psycopg2://openstack_citest:openstack_citest@127.0.0.1:5432')
BACKENDS = ('sqlite', 'mysql', 'postgresql')
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


def _bin(name):
    """A console script of this virtualenv (the one running the tests)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.path.exists(path) else shutil.which(name)


def manage(conf_path, service, *args):
    """Run ``stratus-manage <service> <args>``; a failure shows what it printed."""
    result = subprocess.run([_bin('stratus-manage'), '--config-file', conf_path, service, *args],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'stratus-manage {service} {args[0] if args else ""} failed '
                           f'(exit {result.returncode}):\n{result.stdout}{result.stderr}')
    return result


@contextlib.contextmanager
def database(backend, directory):
    """A new, empty database of ``backend``; yields its URL and drops it afterwards.

    A server that is not running fails the test loudly: it is never skipped.
    """
    name = f'stratus_test_{uuid.uuid4().hex[:12]}'
    if backend == 'sqlite':
        yield f'sqlite:///{os.path.join(directory, name)}.sqlite'
        return
    if backend == 'mysql':
        admin = sa.create_engine(MYSQL_URL + '/', isolation_level='AUTOCOMMIT')
        create = f'CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'
        url = f'{MYSQL_URL}/{name}?charset=utf8mb4'
    elif backend == 'postgresql':
        admin = sa.create_engine(POSTGRESQL_URL + '/postgres', isolation_level='AUTOCOMMIT')
        create = f'CREATE DATABASE {name}'
        url = f'{POSTGRESQL_URL}/{name}'
    else:
        raise ValueError(backend)
    with admin.connect() as connection:
        connection.execute(sa.text(create))
    try:
        yield url
    finally:
        with admin.connect() as connection:
            if backend == 'postgresql':
                connection.execute(sa.text(
                    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        admin.dispose()


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
        self.process = subprocess.Popen([_bin(self.program), '--config-file', self.conf_path],
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


class IdentityServer(ServiceProcess):
    """``stratus-identity-api`` under gunicorn, bootstrapped, on a free port."""

    program = 'stratus-identity-api'

    def __init__(self, directory, database_url, *, workers=2, hash_rounds=4, extra_conf='',
                 notifications=False):
        """``notifications=True`` sends real notifications to ``TRANSPORT_URL``
        (``messagingv2``); by default the notifier is ``noop``."""
        super().__init__(directory)
        self.database_url = database_url
        with open(self.conf_path, 'w') as conf:
            conf.write(f"""[DEFAULT]
state_path = {directory}/state
{f'transport_url = {TRANSPORT_URL}' if notifications else ''}
[api]
bind_host = 127.0.0.1
bind_port = {self.port}
public_url = {self.url}
workers = {workers}
[database]
connection = {database_url}
[identity]
password_hash_rounds = {hash_rounds}
[oslo_messaging_notifications]
driver = {'messagingv2' if notifications else 'noop'}
{extra_conf}
""")

    def manage(self, *args):
        return manage(self.conf_path, 'identity', *args)

    def start(self, bootstrap=True):
        """Sync the schema, create keys, bootstrap and serve.

        ``bootstrap=False`` is for a second server on an already synced and
        bootstrapped database: it must not point the catalog's identity
        endpoint at itself.
        """
        if bootstrap:
            self.manage('db-sync')
        self.manage('fernet-setup')
        if bootstrap:
            self.manage('bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                        '--bootstrap-public-url', f'{self.url}/v3',
                        '--bootstrap-internal-url', f'{self.url}/v3')
        return self.start_process()

    def issue_token(self, username, password, **scope):
        response = requests.post(f'{self.url}/v3/auth/tokens',
                                 json=password_auth(username, password, **scope), timeout=60)
        response.raise_for_status()
        return response.headers['X-Subject-Token'], response.json()['token']

    def client(self, username='admin', password=ADMIN_PASSWORD, **scope):
        """An ``ApiClient`` with a token of ``username`` (admin of project admin by default)."""
        if not scope:
            scope = {'project': 'admin'} if username == 'admin' else {}
        token, _ = self.issue_token(username, password, **scope)
        return ApiClient(self.url, token)

    def anonymous(self):
        return ApiClient(self.url)


class NotificationQueue:
    """Catches the notifications sent on RabbitMQ while it is open (a context manager).

    A queue of its own, exclusive and auto-deleted, bound to the notifier's
    exchange (``openstack``) with the ``notifications.info`` and
    ``notifications.error`` routing keys: it sees every notification sent
    while it exists and leaves nothing behind on the shared broker (an
    oslo.messaging listener pool would leave a durable queue).  Each message
    is kept as oslo.messaging's dict: ``event_type``, ``payload``,
    ``publisher_id``, ``priority``, ``_context_*`` …
    """

    def __init__(self, transport_url=None, exchange='openstack'):
        # oslo.messaging's rabbit:// is kombu's amqp://.
        self._url = 'amqp://' + (transport_url or TRANSPORT_URL).split('://', 1)[1]
        self._exchange = exchange
        self.received = []

    def __enter__(self):
        import kombu
        self._connection = kombu.Connection(self._url, connect_timeout=10)
        self._connection.connect()
        exchange = kombu.Exchange(self._exchange, type='topic', durable=False,
                                  auto_delete=False)
        queue = kombu.Queue(
            unique_name('stratus-test-notifications'), durable=False, exclusive=True,
            auto_delete=True, bindings=[kombu.binding(exchange, routing_key=key)
                                        for key in ('notifications.info',
                                                    'notifications.error')])
        self._consumer = self._connection.Consumer(queue, callbacks=[self._on_message],
                                                   accept=['json'])
        self._consumer.consume()
        return self

    def __exit__(self, *exc_info):
        try:
            self._consumer.cancel()
        finally:
            self._connection.release()

    def _on_message(self, body, message):
        import json
        envelope = json.loads(body) if isinstance(body, str) else body
        self.received.append(json.loads(envelope['oslo.message']))
        message.ack()

    def _drain(self, timeout):
        try:
            self._connection.drain_events(timeout=timeout)
        except (socket.timeout, TimeoutError):
            pass

    def wait_for(self, predicate, timeout=20):
        """The messages matching ``predicate``, waiting up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.received if predicate(m)]
            if found or time.monotonic() > deadline:
                return found
            self._drain(0.5)

    def drain(self, seconds):
        """Take in what arrives during ``seconds`` (to see that nothing more does)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._drain(0.2)


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


class ImageServer(ServiceProcess):
    """``stratus-image-api`` with its own database, authenticating against ``identity``.

    At start it creates its service user (role ``service`` in project
    ``service``) in ``identity`` and registers itself in the catalog.
    """

    program = 'stratus-image-api'

    def __init__(self, directory, database_url, identity, *, workers=2, extra_conf='',
                 register_in_catalog=False):
        """``register_in_catalog``: publish this server as the catalog's image
        endpoint (only one server per identity should, or they take turns)."""
        super().__init__(directory)
        self.database_url = database_url
        self.identity = identity
        self.store_path = os.path.join(directory, 'store')
        self.staging_path = os.path.join(directory, 'staging')
        username, password = unique_name('image'), unique_name('pw')
        identity.manage('ensure-user', '--name', username, '--password', password,
                        '--project', 'service', '--role', 'service')
        with open(self.conf_path, 'w') as conf:
            conf.write(f"""[DEFAULT]
state_path = {directory}/state
[api]
bind_host = 127.0.0.1
bind_port = {self.port}
{f'public_url = {self.url}' if register_in_catalog else ''}
workers = {workers}
[database]
connection = {database_url}
[image]
store_path = {self.store_path}
staging_path = {self.staging_path}
[oslo_messaging_notifications]
driver = noop
{service_auth_conf(identity, username, password)}
{extra_conf}
""")

    def manage(self, *args):
        return manage(self.conf_path, 'image', *args)

    def start(self):
        self.manage('db-sync')
        return self.start_process()
