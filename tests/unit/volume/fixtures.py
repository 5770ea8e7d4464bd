"""A volume API in one process: config, database, app, client and a recording conductor.

``build_env`` makes a volume API on an in-memory SQLite database brought
to the schema by the real migrations (so the ``__DEFAULT__`` volume type
exists, as in a deployment), with a Flask test client (``app.testing``
on, so a route that skips its policy check fails the test).  There is no
identity service and no RabbitMQ: requests carry the persona's project,
roles and admin-project flag in test headers, and the conductor is
``RecordingConductor``, which keeps the casts the API made so that a test
can assert on them (and play the conductor's part by changing the
database itself).

The personas are those of the image unit tests (Secure RBAC, with implied
roles expanded): ``cloud_admin``, ``project_admin`` (admin of P only, not a
cloud admin), ``member``/``reader`` of P, ``other_member``/``other_reader``
of Q, ``third_member`` of R and ``foo`` (a role no policy knows, on P).
"""
import dataclasses
import datetime
import json

import sqlalchemy as sa

from common.db import migration
from common.db.session import Database
from common.db.types import utcnow
from tests.unit import make_conf
from tests.unit.image.fixtures import (ADMIN_PROJECT, OTHER_PROJECT, PERSONAS, PROJECT,
                                       authenticate, persona_headers)
from volume import conf as volume_conf
from volume import service_names
from volume import states
from volume.api import create_app
from volume.db import models as m

__all__ = ['ADMIN_PROJECT', 'OTHER_PROJECT', 'PERSONAS', 'PROJECT', 'Api', 'RecordingConductor',
           'VolumeEnv', 'build_env']
MIGRATIONS = 'volume.db.migrations'
PROJECT_OF = {name: persona.project_id for name, persona in PERSONAS.items()}


class RecordingConductor:
    """Stands in for ``volume.rpcapi.ConductorAPI``: records the casts; ``fail`` makes
    the next casts raise as an unreachable RabbitMQ would."""

    def __init__(self):
        self.calls = []
        self.fail = False

    def _record(self, method, **kwargs):
        if self.fail:
            raise ConnectionError('AMQP server on 127.0.0.1:5672 is unreachable')
        self.calls.append((method, kwargs))

    def create_volume(self, ctx, volume_id, request_spec):
        self._record('create_volume', volume_id=volume_id, request_spec=request_spec)

    def delete_volume(self, ctx, volume_id, cascade=False):
        self._record('delete_volume', volume_id=volume_id, cascade=cascade)

    def extend_volume(self, ctx, volume_id, new_size):
        self._record('extend_volume', volume_id=volume_id, new_size=new_size)

    def upload_image(self, ctx, volume_id, image):
        self._record('upload_image', volume_id=volume_id, image=image)

    def named(self, method):
        return [kwargs for name, kwargs in self.calls if name == method]


class Api:
    """The Flask test client; ``as_=<persona>`` chooses who calls (default ``member``),
    ``version='3.42'`` the microversion.  Paths are relative to ``/v3/<project>``
    of the persona unless they start with ``/``."""

    def __init__(self, client):
        self.client = client

    def url(self, path, as_='member', project=None):
        if path.startswith('/'):
            return path
        return f'/v3/{project or PROJECT_OF.get(as_, PROJECT)}/{path}'

    def request(self, method, path, as_='member', version=None, headers=None, project=None,
                body=None, **kwargs):
        all_headers = persona_headers(as_) if as_ is not None else {}
        if version is not None:
            all_headers['OpenStack-API-Version'] = f'volume {version}'
        all_headers.update(headers or {})
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type='application/json')
        return self.client.open(self.url(path, as_, project), method=method,
                                headers=all_headers, buffered=True, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    def action(self, volume_id, name, args=None, **kwargs):
        return self.post(f'volumes/{volume_id}/action', {name: args}, **kwargs)

    # Factories: each creates a resource through the API and returns its body.

    def volume(self, as_='member', **attrs):
        attrs.setdefault('size', 1)
        response = self.post('volumes', {'volume': attrs}, as_=as_)
        assert response.status_code == 202, response.get_data(as_text=True)
        return response.get_json()['volume']

    def volume_type(self, name, extra_specs=None, is_public=True):
        body = {'volume_type': {'name': name, 'extra_specs': extra_specs or {},
                                'os-volume-type-access:is_public': is_public}}
        response = self.post('types', body, as_='cloud_admin')
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()['volume_type']


@dataclasses.dataclass
class VolumeEnv:
    conf: object
    db: Database
    app: object
    api: Api
    conductor: RecordingConductor

    def update_volume(self, volume_id, **values):
        """Play the conductor: change a volume's row."""
        with self.db.writer() as session:
            session.execute(sa.update(m.Volume).where(m.Volume.id == volume_id).values(**values))

    def volume_row(self, volume_id):
        with self.db.reader() as session:
            return session.get(m.Volume, volume_id)

    def available_volume(self, as_='member', host='host1@file#file', **attrs):
        """A volume the conductor has made: ``available`` on ``host``."""
        volume = self.api.volume(as_=as_, **attrs)
        self.update_volume(volume['id'], status=states.AVAILABLE, host=host,
                           launched_at=utcnow())
        return volume

    def add_snapshot(self, volume_id, status=states.SNAPSHOT_AVAILABLE, **values):
        """A snapshot row of ``volume_id`` (the snapshot API is not this layer's)."""
        volume = self.volume_row(volume_id)
        with self.db.writer() as session:
            snapshot = m.Snapshot(project_id=volume.project_id, user_id=volume.user_id,
                                  volume_id=volume_id, volume_size=volume.size,
                                  volume_type_id=volume.volume_type_id, status=status, **values)
            session.add(snapshot)
            session.flush()
            return snapshot.id

    def add_attachment(self, volume_id, server_id='0c1e5a4f-2a4e-4b8e-9c1e-5a4f2a4e4b8e',
                       host='compute-1', mountpoint='/dev/vdb'):
        """An attached attachment of ``volume_id`` (the attach API is not this layer's)."""
        with self.db.writer() as session:
            attachment = m.VolumeAttachment(
                volume_id=volume_id, instance_uuid=server_id, attached_host=host,
                mountpoint=mountpoint, attach_status=states.ATTACHMENT_ATTACHED,
                attached_at=utcnow())
            session.add(attachment)
            session.execute(sa.update(m.Volume).where(m.Volume.id == volume_id).values(
                status=states.IN_USE, attach_status=states.ATTACHED))
            session.flush()
            return attachment.id

    def add_service(self, host, binary=service_names.AGENT_BINARY, zone='nova', seen=0,
                    disabled=False):
        """A service record last heard from ``seen`` seconds ago."""
        with self.db.writer() as session:
            session.add(m.Service(host=host, binary=binary, availability_zone=zone,
                                  disabled=disabled, report_count=1,
                                  last_seen_up=utcnow() - datetime.timedelta(seconds=seen)))


def build_env(state_path, db_url='sqlite://', **overrides):
    """A volume API; ``overrides`` as for ``make_conf`` (``quota__volumes=…``).

    :param db_url: the in-memory default is one connection shared by every
        thread; tests that run a conductor's threads need a file database.
    """
    overrides.setdefault('oslo_messaging_notifications__driver', ['noop'])
    conf = make_conf(state_path, register=volume_conf.register_opts, **overrides)
    db = Database(db_url)
    migration.upgrade(db, MIGRATIONS)
    conductor = RecordingConductor()
    app = create_app(conf, db=db, conductor=conductor, authenticate=authenticate,
                     wrap_auth=False)
    app.testing = True
    return VolumeEnv(conf=conf, db=db, app=app, api=Api(app.test_client()),
                     conductor=conductor)
