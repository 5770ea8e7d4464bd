"""A compute API in one process: config, database, app, client and a recording conductor.

``build_env`` makes a compute API on an in-memory SQLite database with a
Flask test client (``app.testing`` on, so a route that skips its policy
check fails the test).  There is no identity service and no RabbitMQ:
requests carry the persona's project, roles and admin-project flag in test
headers, and the conductor is ``RecordingConductor``, which keeps the
calls the API made so that a test can assert on them (and play the
conductor's part by changing the database itself).  ``IdentityProjects``
plays identity's answer to "does this project exist?".

The personas are those of the image unit tests (Secure RBAC, with implied
roles expanded): ``cloud_admin``, ``project_admin`` (admin of P only, not a
cloud admin), ``member``/``reader`` of P, ``other_member``/``other_reader``
of Q, ``third_member`` of R and ``foo`` (a role no policy knows, on P).
"""
import dataclasses
import json

from common.db.session import Database
from compute import conf as compute_conf
from compute.api import create_app
from compute.identity import ProjectNotFound
from compute.db import models
from tests.unit import make_conf
from tests.unit.image.fixtures import PERSONAS, authenticate, persona_headers

__all__ = ['PERSONAS', 'build_env', 'ComputeEnv', 'IdentityProjects', 'RecordingConductor']


class IdentityProjects:
    """Stands in for ``compute.identity.ProjectChecker``: every project exists but those
    in ``missing``; ``asked`` records the ids checked."""

    def __init__(self):
        self.missing = set()
        self.asked = []

    def verify(self, ctx, project_id):
        self.asked.append(project_id)
        if project_id in self.missing:
            raise ProjectNotFound(project_id=project_id)


class RecordingConductor:
    """Stands in for ``compute.rpcapi.ConductorAPI``: records, answers from ``replies``."""

    def __init__(self):
        self.calls = []
        self.replies = {}

    def _record(self, method, **kwargs):
        self.calls.append((method, kwargs))
        return self.replies.get(method)

    def build_instances(self, ctx, instance_uuids):
        self._record('build_instances', instance_uuids=instance_uuids)

    def run_action(self, ctx, instance_uuid, action, params=None):
        self._record('run_action', instance_uuid=instance_uuid, action=action,
                     params=params or {})

    def get_console_output(self, ctx, instance_uuid, length=None):
        return self._record('get_console_output', instance_uuid=instance_uuid, length=length)

    def external_instance_event(self, ctx, events):
        self._record('external_instance_event', events=events)

    def named(self, method):
        return [kwargs for name, kwargs in self.calls if name == method]


class Api:
    """The Flask test client; ``as_=<persona>`` chooses who calls (default ``member``),
    ``version='2.60'`` the microversion."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, as_='member', version=None, headers=None, **kwargs):
        all_headers = persona_headers(as_) if as_ is not None else {}
        if version is not None:
            all_headers['OpenStack-API-Version'] = f'compute {version}'
        all_headers.update(headers or {})
        return self.client.open(path, method=method, headers=all_headers, buffered=True,
                                **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type='application/json')
        return self.request('POST', path, **kwargs)

    def put(self, path, body=None, **kwargs):
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type='application/json')
        return self.request('PUT', path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


@dataclasses.dataclass
class ComputeEnv:
    conf: object
    db: Database
    app: object
    api: Api
    conductor: RecordingConductor
    projects: IdentityProjects


def build_env(state_path, **overrides):
    """A compute API; ``overrides`` as for ``make_conf`` (``quota__instances=…``)."""
    overrides.setdefault('oslo_messaging_notifications__driver', ['noop'])
    conf = make_conf(state_path, register=compute_conf.register_opts, **overrides)
    db = Database('sqlite://')
    models.Base.metadata.create_all(db.engine)
    conductor = RecordingConductor()
    projects = IdentityProjects()
    app = create_app(conf, db=db, conductor=conductor, projects=projects,
                     authenticate=authenticate, wrap_auth=False)
    app.testing = True
    return ComputeEnv(conf=conf, db=db, app=app, api=Api(app.test_client()),
                      conductor=conductor, projects=projects)
