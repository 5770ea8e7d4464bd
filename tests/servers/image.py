"""``ImageServer``: the image API on a throw-away database."""
import os

from tests.servers.processes import ServiceProcess
from tests.servers.processes import manage
from tests.servers.processes import service_auth_conf
from tests.servers.processes import unique_name


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
