"""A network API in one process: config, in-memory database, app and client.

Requests carry a persona (see ``tests.unit.image.fixtures.PERSONAS``: a
cloud admin, members and readers of projects P and Q …) in test headers,
which ``authenticate`` turns into the ``RequestContext`` keystonemiddleware
would have built.  ``app.testing`` is on, so a route that skips its policy
check fails the test.
"""
import dataclasses

from common import rpc
from common.db.session import Database
from network import conf as network_conf
from network.api import create_app
from network.backend import Backend
from network.db import models
from network.rpcapi import ConductorAPI
from tests.unit import make_conf
from tests.unit.image.fixtures import (ADMIN_PROJECT, OTHER_PROJECT, PROJECT, authenticate,
                                       persona_headers)

__all__ = ['ADMIN_PROJECT', 'OTHER_PROJECT', 'PROJECT', 'Api', 'NetworkEnv', 'build_env']


class Api:
    """The Flask test client; ``as_=<persona>`` chooses who calls (default ``member``)."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, as_='member', **kwargs):
        return self.client.open(path, method=method, headers=persona_headers(as_), **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request('POST', path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request('PUT', path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    # Factories: each creates a resource and returns its body (asserting 201).

    def network(self, as_='member', **attrs):
        return self._create('networks', 'network', attrs, as_)

    def subnet(self, network_id, cidr='10.0.0.0/24', as_='member', **attrs):
        attrs.setdefault('ip_version', 6 if ':' in cidr else 4)
        return self._create('subnets', 'subnet',
                            {'network_id': network_id, 'cidr': cidr, **attrs}, as_)

    def port(self, network_id, as_='member', **attrs):
        return self._create('ports', 'port', {'network_id': network_id, **attrs}, as_)

    def _create(self, path, resource, attrs, as_):
        response = self.post(f'/v2.0/{path}', json={resource: attrs}, as_=as_)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()[resource]


@dataclasses.dataclass
class NetworkEnv:
    conf: object
    db: Database
    backend: Backend
    app: object
    api: Api
    transport: object


def build_env(state_path, database_url='sqlite://', **overrides):
    """A network API; ``overrides`` as for ``make_conf`` (``quotas__quota_port=…``).

    The API tells the conductor of changes on ``transport`` (``fake://``): a
    conductor started on the same transport hears them.
    """
    conf = make_conf(state_path, register=network_conf.register_opts, **overrides)
    db = Database(database_url)
    models.Base.metadata.create_all(db.engine)
    backend = Backend(conf, db=db)
    transport = rpc.get_transport(conf)
    app = create_app(conf, backend=backend, authenticate=authenticate, wrap_auth=False,
                     conductor=ConductorAPI(conf, transport=transport))
    app.testing = True
    return NetworkEnv(conf=conf, db=db, backend=backend, app=app, api=Api(app.test_client()),
                      transport=transport)
