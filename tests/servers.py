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
import urllib.parse
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


class NetworkServer(ServiceProcess):
    """``stratus-network-api`` with its own database, authenticating against ``identity``.

    At start it creates its service user (role ``service`` in project
    ``service``), syncs its database and, if asked, publishes itself in the
    catalog as the ``network`` endpoint.  ``conf_path`` is the
    ``network.conf`` a conductor of the same deployment can read too;
    ``transport_url`` (e.g. a ``RabbitVhost``'s) is written in it when given.
    """

    program = 'stratus-network-api'

    def __init__(self, directory, database_url, identity, *, workers=2, extra_conf='',
                 register_in_catalog=False, transport_url=None):
        super().__init__(directory)
        self.database_url = database_url
        self.identity = identity
        username, password = unique_name('network'), unique_name('pw')
        identity.manage('ensure-user', '--name', username, '--password', password,
                        '--project', 'service', '--role', 'service')
        with open(self.conf_path, 'w') as conf:
            conf.write(f"""[DEFAULT]
state_path = {directory}/state
{f'transport_url = {transport_url}' if transport_url else ''}
[api]
bind_host = 127.0.0.1
bind_port = {self.port}
{f'public_url = {self.url}' if register_in_catalog else ''}
workers = {workers}
[database]
connection = {database_url}
[oslo_messaging_notifications]
driver = noop
{service_auth_conf(identity, username, password)}
{extra_conf}
""")

    def manage(self, *args):
        return manage(self.conf_path, 'network', *args)

    def start(self):
        self.manage('db-sync')
        return self.start_process()

    def start_conductor(self, host='conductor-1'):
        """A ``stratus-network-conductor`` of this deployment (its ``network.conf``),
        named ``host``; the caller stops it."""
        host_conf = os.path.join(self.directory, f'{host}.conf')
        with open(host_conf, 'w') as conf:
            conf.write(f'[DEFAULT]\nhost = {host}\n')
        return BackgroundProcess(
            host, [_bin('stratus-network-conductor'), '--config-file', self.conf_path,
                   '--config-file', host_conf],
            os.path.join(self.directory, f'{host}.log')).start()


class ComputeClient(ApiClient):
    """An ``ApiClient`` on a compute API's ``/v2.1`` that asks for one microversion.

    :param version: sent as ``OpenStack-API-Version: compute <version>`` on
        every request (a request's own ``headers`` win); ``None`` sends none,
        which the API takes as 2.1.
    """

    def __init__(self, base_url, token=None, version='2.60'):
        super().__init__(base_url, token)
        self.version = version

    def request(self, method, path, *, headers=None, **kwargs):
        all_headers = {'OpenStack-API-Version': f'compute {self.version}'} if self.version else {}
        all_headers.update(headers or {})
        return super().request(method, path, headers=all_headers, **kwargs)


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


class RabbitVhost:
    """A RabbitMQ virtual host of its own, made and removed with ``rabbitmqctl``.

    oslo.messaging names its queues after the RPC topic alone
    (``compute.conductor``, ``compute.agent.<host>``): a queue of that name
    is shared by every exchange bound to it, so a ``control_exchange`` of
    its own does not keep two deployments on one broker apart (each would
    consume the other's messages).  A virtual host does; deleting it drops
    whatever messages were left in it.
    """

    def __init__(self, transport_url=None):
        base = urllib.parse.urlsplit(transport_url or TRANSPORT_URL)
        self.name = unique_name('stratus-test')
        self.user = urllib.parse.unquote(base.username or 'guest')
        self.transport_url = urllib.parse.urlunsplit(
            base._replace(path='/' + urllib.parse.quote(self.name, safe='')))

    @staticmethod
    def _rabbitmqctl(*args):
        try:
            result = subprocess.run(['rabbitmqctl', *args], capture_output=True, text=True,
                                    timeout=60)
        except FileNotFoundError:
            raise RuntimeError('rabbitmqctl is not installed: the compute tests make a '
                               'RabbitMQ virtual host per deployment with it') from None
        if result.returncode != 0:
            raise RuntimeError(f'rabbitmqctl {" ".join(args)} failed (exit '
                               f'{result.returncode}): {result.stdout}{result.stderr}')

    def create(self):
        self._rabbitmqctl('add_vhost', self.name)
        self._rabbitmqctl('set_permissions', '-p', self.name, self.user, '.*', '.*', '.*')
        return self

    def delete(self):
        self._rabbitmqctl('delete_vhost', self.name)


class ComputeServer(ServiceProcess):
    """A whole compute service: API, conductors and fake-driver agents on RabbitMQ.

    All processes read one ``compute.conf``; each conductor and agent adds a
    small file of its own that names its ``host`` (``conductor-<i>``,
    ``agent-<i>``; an agent with ``fake_hosts`` > 1 also runs
    ``agent-<i>-2`` …).  Its RPC runs in a RabbitMQ virtual host of its own
    (``RabbitVhost``), so that other deployments on the shared broker
    (parallel test sessions, the all-in-one) and messages left over by an
    earlier run never reach its processes.

    At start it creates its service user in ``identity``, syncs its database
    and (if asked) publishes the API in the catalog (``/v2.1``), then waits until the
    API is healthy and every simulated host is an enabled, up
    ``nova-compute`` service with a hypervisor record.

    The API process also serves the metadata API at ``metadata_url`` (a
    free port), whose proxy requests are signed with ``metadata_secret``.
    """

    program = 'stratus-compute-api'
    AGENT_BINARY = 'nova-compute'

    def __init__(self, directory, database_url, identity, image=None, *, agents=1,
                 conductors=1, fake_hosts=1, extra_conf='', report_interval=1,
                 service_down_time=10, workers=2, notifications=False,
                 register_in_catalog=False):
        """``image`` is the image server the catalog lists (only a reminder that
        server creates from images need one; the API finds it in the catalog).
        ``extra_conf`` is appended to compute.conf (later sections of the same
        name add to earlier ones).  ``register_in_catalog``: publish this API
        as the catalog's compute endpoint (only one server per identity
        should, or they take turns and a stopped one stays listed)."""
        super().__init__(directory)
        self.database_url = database_url
        self.identity = identity
        self.image = image
        self.agent_count = agents
        self.conductor_count = conductors
        self.fake_hosts = fake_hosts
        self.metadata_port = free_port()
        self.metadata_url = f'http://127.0.0.1:{self.metadata_port}'
        self.metadata_secret = unique_name('metadata-secret')
        self.vhost = RabbitVhost()
        self._vhost_created = False
        self.conductors = []
        self.agents = []
        username, password = unique_name('compute'), unique_name('pw')
        identity.manage('ensure-user', '--name', username, '--password', password,
                        '--project', 'service', '--role', 'service')
        with open(self.conf_path, 'w') as conf:
            conf.write(f"""[DEFAULT]
state_path = {directory}/state
transport_url = {self.vhost.transport_url}
report_interval = {report_interval}
service_down_time = {service_down_time}
[api]
bind_host = 127.0.0.1
bind_port = {self.port}
{f'public_url = {self.url}' if register_in_catalog else ''}
workers = {workers}
[database]
connection = {database_url}
[fake_driver]
host_count = {fake_hosts}
[metadata]
metadata_listen = 127.0.0.1
metadata_listen_port = {self.metadata_port}
metadata_proxy_shared_secret = {self.metadata_secret}
[oslo_messaging_notifications]
driver = {'messagingv2' if notifications else 'noop'}
{service_auth_conf(identity, username, password)}
{extra_conf}
""")

    @property
    def hosts(self):
        """The names of every simulated hypervisor host, agent by agent."""
        names = []
        for index in range(1, self.agent_count + 1):
            base = f'agent-{index}'
            names += [base] + [f'{base}-{n}' for n in range(2, self.fake_hosts + 1)]
        return names

    def manage(self, *args):
        return manage(self.conf_path, 'compute', *args)

    def _background(self, program, host):
        host_conf = os.path.join(self.directory, f'{host}.conf')
        with open(host_conf, 'w') as conf:
            conf.write(f'[DEFAULT]\nhost = {host}\n')
        argv = [_bin(program), '--config-file', self.conf_path, '--config-file', host_conf]
        return BackgroundProcess(host, argv, os.path.join(self.directory, f'{host}.log'))

    def start(self, timeout=90):
        self.manage('db-sync')
        self.vhost.create()
        self._vhost_created = True
        try:
            self.start_process()
            for index in range(1, self.conductor_count + 1):
                self.conductors.append(self._background('stratus-compute-conductor',
                                                        f'conductor-{index}').start())
            for index in range(1, self.agent_count + 1):
                self.agents.append(self._background('stratus-compute-agent',
                                                    f'agent-{index}').start())
            self.wait_for_hosts(self.hosts, timeout=timeout)
        except BaseException:
            self.stop()  # never leave half of the service behind
            raise
        return self

    def admin(self, version='2.60'):
        """A ``ComputeClient`` holding a fresh cloud admin token."""
        token, _ = self.identity.issue_token('admin', ADMIN_PASSWORD, project='admin')
        return ComputeClient(f'{self.url}/v2.1', token, version)

    def client(self, token, version='2.60'):
        return ComputeClient(f'{self.url}/v2.1', token, version)

    def service_states(self, admin):
        """``{host: state}`` of the ``nova-compute`` services (``up`` or ``down``)."""
        response = admin.get('/os-services', params={'binary': self.AGENT_BINARY})
        response.raise_for_status()
        return {s['host']: s['state'] for s in response.json()['services']}

    def _dead_process(self):
        for process in self.conductors + self.agents:
            if not process.running():
                return process
        return None

    def wait_for_hosts(self, hosts, timeout=90):
        """Until every host of ``hosts`` is an up compute service with a hypervisor."""
        admin = self.admin()
        deadline = time.monotonic() + timeout
        states, hypervisors = {}, set()
        while time.monotonic() < deadline:
            dead = self._dead_process()
            if dead is not None:
                raise RuntimeError(f'{dead.name} exited: {dead.log_tail()}')
            states = self.service_states(admin)
            listed = admin.get('/os-hypervisors')
            listed.raise_for_status()
            hypervisors = {h['hypervisor_hostname'] for h in listed.json()['hypervisors']}
            if all(states.get(h) == 'up' and h in hypervisors for h in hosts):
                return
            time.sleep(0.3)
        raise RuntimeError(f'the compute hosts are not all up after {timeout} s: services '
                           f'{states}, hypervisors {sorted(hypervisors)}; last agent log:\n'
                           f'{self.agents[-1].log_tail() if self.agents else ""}')

    def stop(self):
        # All at once: each takes a moment to stop its RPC servers.
        for process in self.agents + self.conductors:
            process.terminate()
        for process in self.agents + self.conductors:
            process.stop()
        super().stop()
        if self._vhost_created:
            self._vhost_created = False
            self.vhost.delete()
