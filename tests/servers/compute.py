"""``ComputeServer``: a whole compute service with fake-driver agents on RabbitMQ."""
import os
import time

from tests.servers.processes import ADMIN_PASSWORD
from tests.servers.processes import BackgroundProcess
from tests.servers.processes import ServiceProcess
from tests.servers.processes import bin_path
from tests.servers.processes import free_port
from tests.servers.processes import MicroversionClient
from tests.servers.processes import manage
from tests.servers.processes import service_auth_conf
from tests.servers.processes import unique_name
from tests.servers.rabbit import RabbitVhost


class ComputeClient(MicroversionClient):
    """A ``MicroversionClient`` on a compute API's ``/v2.1``, at 2.60 unless told."""
    SERVICE = 'compute'

    def __init__(self, base_url, token=None, version='2.60'):
        super().__init__(base_url, token, version)


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
        argv = [bin_path(program), '--config-file', self.conf_path, '--config-file', host_conf]
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
