"""Everything the identity API works with, built once per process.

``Backend`` wires the managers together and gives the API its two kinds
of transaction: ``reader()`` for lookups and ``writer(ctx)`` for changes,
which sends the notifications the change queued once it has committed.
"""
import contextlib
import os

from common import config as common_config
from common.db.session import Database
from identity import conf as identity_conf
from identity.app_credentials import ApplicationCredentialManager
from identity.assignment import AssignmentManager
from identity.catalog import CatalogManager
from identity import events
from identity.resource import ResourceManager
from identity.token.auth_methods import Authenticator
from identity.token.fernet_keys import KeyRing
from identity.token.provider import TokenProvider
from identity.token.revocation import Revocations
from identity.users import UserManager


def key_repository(conf):
    return conf.fernet_tokens.key_repository or os.path.join(
        common_config.service_state_dir(conf, identity_conf.SERVICE), 'fernet-keys')


class Backend:

    def __init__(self, conf, db=None, notifier=None):
        self.conf = conf
        self.db = db or Database(common_config.database_url(conf, identity_conf.SERVICE),
                                 echo=conf.database.connection_debug,
                                 pool_size=conf.database.max_pool_size)
        self.notifier = notifier
        self.revocations = Revocations(conf)
        self.app_credentials = ApplicationCredentialManager(conf, self.revocations)
        self.users = UserManager(conf, self.revocations, self.app_credentials)
        self.resource = ResourceManager(conf, self.revocations, self.users,
                                        self.app_credentials)
        self.assignment = AssignmentManager(conf, self.revocations)
        self.catalog = CatalogManager()
        self.tokens = TokenProvider(conf, KeyRing(key_repository(conf)), self.resource,
                                    self.assignment, self.app_credentials, self.revocations)
        self.authenticator = Authenticator(self.resource, self.users, self.app_credentials,
                                           self.tokens)

    def reader(self):
        return self.db.reader()

    @contextlib.contextmanager
    def writer(self, ctx=None):
        with self.db.writer() as session:
            yield session
            queued = events.take(session)
        if self.notifier is not None:
            for event_type, payload in queued:
                self.notifier.info(ctx, event_type, payload)
