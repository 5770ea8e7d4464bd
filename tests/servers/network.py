"""``NetworkServer``: the network API (and conductors) on a throw-away database."""
import os

from tests.servers.processes import BackgroundProcess
from tests.servers.processes import ServiceProcess
from tests.servers.processes import bin_path
from tests.servers.processes import manage
from tests.servers.processes import service_auth_conf
from tests.servers.processes import unique_name


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
            host, [bin_path('stratus-network-conductor'), '--config-file', self.conf_path,
                   '--config-file', host_conf],
            os.path.join(self.directory, f'{host}.log')).start()
