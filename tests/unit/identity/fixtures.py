"""An identity service in one process: config, database, keys, app and client.

``build_env`` makes a bootstrapped identity service on an in-memory SQLite
database, with Fernet keys in a temporary directory, a notifier that
records what it is asked to send, and a Flask test client with
``app.testing`` on (so a route that skips its policy check fails the test).
"""
import dataclasses

from common.db.session import Database
from identity import bootstrap
from identity import conf as identity_conf
from identity.api import create_app
from identity.backend import Backend, key_repository
from identity.db import models as m
from identity.token import fernet_keys
from tests.unit import make_conf
from tests.unit.identity import factories

ADMIN_PASSWORD = 'admin-secret'
PUBLIC_URL_BASE = 'http://identity.test:5000'
PUBLIC_URL = PUBLIC_URL_BASE + '/v3'


class RecordingNotifier:
    """Stands in for ``common.rpc.Notifier``: keeps ``(event_type, payload)`` pairs."""

    def __init__(self):
        self.sent = []

    def info(self, ctx, event_type, payload):
        self.sent.append((event_type, payload))

    def error(self, ctx, event_type, payload):
        self.sent.append((event_type, payload))

    def clear(self):
        self.sent.clear()

    def events(self, prefix=''):
        return [e for e in self.sent if e[0].startswith(prefix)]


class Api:
    """The Flask test client, with ``token=`` for ``X-Auth-Token``."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, token=None, json=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is not None:
            headers['X-Auth-Token'] = token
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def head(self, path, **kwargs):
        return self.request('HEAD', path, **kwargs)

    def post(self, path, **kwargs):
        return self.request('POST', path, **kwargs)

    def put(self, path, **kwargs):
        return self.request('PUT', path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request('PATCH', path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


@dataclasses.dataclass
class IdentityEnv:
    conf: object
    db: Database
    backend: Backend
    app: object
    api: Api
    notifier: RecordingNotifier
    admin: m.User
    admin_project: m.Project
    roles: dict

    @property
    def key_repository(self):
        return key_repository(self.conf)

    def admin_token(self):
        """A new cloud-admin token: admin on the admin project."""
        return factories.token_for(self.backend, self.admin, project=self.admin_project)


register_opts = identity_conf.register_opts


def build_env(state_path, **overrides):
    """A bootstrapped identity service; ``overrides`` as for ``make_conf``."""
    conf = make_conf(state_path, register=register_opts,
                     identity__password_hash_rounds=4, api__public_url=PUBLIC_URL_BASE,
                     **overrides)
    db = Database('sqlite://')
    m.Base.metadata.create_all(db.engine)
    notifier = RecordingNotifier()
    backend = Backend(conf, db=db, notifier=notifier)
    fernet_keys.setup(key_repository(conf))
    with backend.writer() as session:
        bootstrap.bootstrap(session, backend, bootstrap.BootstrapRequest(
            username='admin', password=ADMIN_PASSWORD, public_url=PUBLIC_URL))
    with backend.reader() as session:
        admin = backend.users.find_user(session, name='admin', domain_id='default')
        admin_project = backend.resource.find_project(session, name='admin',
                                                      domain_id='default')
        roles = {r.name: r for r in backend.assignment.list_roles(session)}
    app = create_app(conf, backend=backend)
    app.testing = True
    notifier.clear()
    return IdentityEnv(conf=conf, db=db, backend=backend, app=app,
                       api=Api(app.test_client()), notifier=notifier, admin=admin,
                       admin_project=admin_project, roles=roles)
