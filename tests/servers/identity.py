"""``IdentityServer``: the identity API, bootstrapped, on a throw-away database."""
import requests

from tests.servers.processes import ADMIN_PASSWORD
from tests.servers.processes import TRANSPORT_URL
from tests.servers.processes import ApiClient
from tests.servers.processes import ServiceProcess
from tests.servers.processes import manage
from tests.servers.processes import password_auth


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
