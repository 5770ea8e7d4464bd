"""``VolumeServer``: a whole volume service (API, conductor, file-backend agents) on RabbitMQ."""
import os
import time

from tests.servers.processes import ADMIN_PASSWORD
from tests.servers.processes import BackgroundProcess
from tests.servers.processes import ServiceProcess
from tests.servers.processes import bin_path
from tests.servers.processes import MicroversionClient
from tests.servers.processes import manage
from tests.servers.processes import service_auth_conf
from tests.servers.processes import unique_name
from tests.servers.rabbit import RabbitVhost

AGENT_BINARY = 'cinder-volume'


class VolumeClient(MicroversionClient):
    """A ``MicroversionClient`` on a volume API's ``/v3/<project_id>``, at 3.65 unless told."""
    SERVICE = 'volume'

    def __init__(self, base_url, token=None, version='3.65'):
        super().__init__(base_url, token, version)


class VolumeAgent(BackgroundProcess):
    """One ``stratus-volume-agent``: backend ``backend_name`` of host ``host``,
    its volume files in ``volumes_dir``."""

    def __init__(self, server, host, backend_name):
        self.host = host
        self.backend_name = backend_name
        self.backend = f'{host}@{backend_name}'
        root = os.path.join(server.directory, host)
        self.volumes_dir = os.path.join(root, 'volumes')
        host_conf = os.path.join(server.directory, f'{host}.conf')
        with open(host_conf, 'w') as conf:
            conf.write(f"""[DEFAULT]
host = {host}
[backend]
volume_driver = file
volume_backend_name = {backend_name}
volumes_dir = {self.volumes_dir}
backup_dir = {root}/backups
image_conversion_dir = {root}/conversion
""")
        argv = [bin_path('stratus-volume-agent'), '--config-file', server.conf_path,
                '--config-file', host_conf]
        super().__init__(host, argv, os.path.join(server.directory, f'{host}.log'))

    def volume_path(self, volume_id):
        """Where the file driver keeps the volume's file."""
        return os.path.join(self.volumes_dir, f'volume-{volume_id}')


class VolumeServer(ServiceProcess):
    """A whole volume service: the API under gunicorn, one conductor and
    ``len(backends)`` agents, each serving one file backend in a directory of
    the test's.

    All processes read one ``volume.conf``; the conductor and each agent add
    a small file of their own naming their ``host`` (``conductor-1``,
    ``agent-<i>``) and, for an agent, its ``[backend]``.  The RPC runs in a
    RabbitMQ virtual host of its own (``RabbitVhost``), so that other
    deployments on the shared broker never reach its processes.

    At start it creates its service user in ``identity``, syncs its database,
    (if asked) publishes the API in the catalog as ``block-storage`` and
    ``volumev3``, then waits until the API is healthy and every backend is an
    up ``cinder-volume`` service.
    """

    program = 'stratus-volume-api'

    def __init__(self, directory, database_url, identity, *, backends=('file-1',),
                 report_interval=1, service_down_time=3, workers=2, extra_conf='',
                 register_in_catalog=False):
        """``backends``: the ``volume_backend_name`` of each agent (agent-1 …).
        ``extra_conf`` is appended to volume.conf.  ``register_in_catalog``:
        publish this API as the catalog's volume endpoints (only one server
        per identity should)."""
        super().__init__(directory)
        self.database_url = database_url
        self.identity = identity
        self.vhost = RabbitVhost()
        self._vhost_created = False
        self.conductor = None
        self.agents = []
        self._backend_names = list(backends)
        username, password = unique_name('volume'), unique_name('pw')
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
[oslo_messaging_notifications]
driver = noop
{service_auth_conf(identity, username, password)}
{extra_conf}
""")

    def manage(self, *args):
        return manage(self.conf_path, 'volume', *args)

    def start(self, timeout=90):
        self.manage('db-sync')
        self.vhost.create()
        self._vhost_created = True
        try:
            self.start_process()
            host_conf = os.path.join(self.directory, 'conductor-1.conf')
            with open(host_conf, 'w') as conf:
                conf.write('[DEFAULT]\nhost = conductor-1\n')
            self.conductor = BackgroundProcess(
                'conductor-1', [bin_path('stratus-volume-conductor'), '--config-file',
                                self.conf_path, '--config-file', host_conf],
                os.path.join(self.directory, 'conductor-1.log')).start()
            for index, backend_name in enumerate(self._backend_names, start=1):
                self.agents.append(VolumeAgent(self, f'agent-{index}', backend_name).start())
            self.wait_for_backends([a.backend for a in self.agents], timeout=timeout)
        except BaseException:
            self.stop()  # never leave half of the service behind
            raise
        return self

    def client(self, token, project_id, version='3.65'):
        return VolumeClient(f'{self.url}/v3/{project_id}', token, version)

    def admin(self, version='3.65'):
        """A ``VolumeClient`` of the cloud admin (project admin), with a fresh token."""
        token, body = self.identity.issue_token('admin', ADMIN_PASSWORD, project='admin')
        return self.client(token, body['project']['id'], version)

    def service_states(self, admin):
        """``{host@backend: state}`` of the ``cinder-volume`` services (``up`` or ``down``)."""
        response = admin.get('/os-services', params={'binary': AGENT_BINARY})
        response.raise_for_status()
        return {s['host']: s['state'] for s in response.json()['services']}

    def _dead_process(self):
        for process in [self.conductor] + self.agents:
            if process is not None and process.process is not None and not process.running():
                return process
        return None

    def wait_for_backends(self, backends, state='up', timeout=90):
        """Until every backend of ``backends`` (``host@name``) is a ``state`` service."""
        admin = self.admin()
        deadline = time.monotonic() + timeout
        states = {}
        while time.monotonic() < deadline:
            if state == 'up':
                dead = self._dead_process()
                if dead is not None:
                    raise RuntimeError(f'{dead.name} exited: {dead.log_tail()}')
            states = self.service_states(admin)
            if all(states.get(b) == state for b in backends):
                return
            time.sleep(0.3)
        raise RuntimeError(f'the volume backends {backends} are not all {state} after '
                           f'{timeout} s: services {states}; conductor log:\n'
                           f'{self.conductor.log_tail() if self.conductor else ""}')

    def stop(self):
        # All at once: each takes a moment to stop its RPC servers.
        processes = [p for p in self.agents + [self.conductor] if p is not None]
        for process in processes:
            process.terminate()
        for process in processes:
            process.stop()
        super().stop()
        if self._vhost_created:
            self._vhost_created = False
            self.vhost.delete()
