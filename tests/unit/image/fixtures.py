"""An image service in one process: config, database, stores, app and client.

``build_env`` makes an image API on an in-memory SQLite database, with its
file store and staging area under a temporary ``state_path``, and a Flask
test client with ``app.testing`` on (so a route that skips its policy
check fails the test).  There is no identity service: requests carry the
persona's project, roles and admin-project flag in test headers, which
``authenticate`` turns into the ``RequestContext`` keystonemiddleware
would have built.

The personas (Secure RBAC, with implied roles expanded as Keystone puts
them in tokens):

* ``cloud_admin``: admin on the cloud's admin project;
* ``project_admin``: admin of project P only (*not* a cloud admin);
* ``member`` and ``reader``: of project P;
* ``other_member`` and ``other_reader``: of project Q;
* ``third_member``: of project R (a project nothing is shared with);
* ``foo``: a role no policy knows, on project P.
"""
import dataclasses
import json
import os

from common import exceptions
from common.context import RequestContext
from common.db.session import Database
from image import conf as image_conf
from image.api import create_app
from image.api import support
from image.backend import Backend
from image.db import models
from tests.unit import make_conf

PROJECT = 'project-p'
OTHER_PROJECT = 'project-q'
THIRD_PROJECT = 'project-r'
ADMIN_PROJECT = 'admin-project'

PATCH_V21 = 'application/openstack-images-v2.1-json-patch'
PATCH_V20 = 'application/openstack-images-v2.0-json-patch'


@dataclasses.dataclass(frozen=True)
class Persona:
    project_id: str
    roles: tuple
    is_admin_project: bool = False


PERSONAS = {
    'cloud_admin': Persona(ADMIN_PROJECT, ('admin', 'member', 'reader'), True),
    'project_admin': Persona(PROJECT, ('admin', 'member', 'reader')),
    'member': Persona(PROJECT, ('member', 'reader')),
    'reader': Persona(PROJECT, ('reader',)),
    'other_member': Persona(OTHER_PROJECT, ('member', 'reader')),
    'other_reader': Persona(OTHER_PROJECT, ('reader',)),
    'third_member': Persona(THIRD_PROJECT, ('member', 'reader')),
    'foo': Persona(PROJECT, ('foo',)),
}


def authenticate(request):
    """The ``RequestContext`` of the test headers; 401 without ``X-Roles``."""
    roles = request.headers.get('X-Roles')
    if roles is None:
        raise exceptions.Unauthorized()
    return RequestContext(user_id=request.headers.get('X-User-Id', 'user'),
                          project_id=request.headers.get('X-Project-Id') or None,
                          roles=[r for r in roles.split(',') if r],
                          is_admin=False,
                          is_admin_project=request.headers.get('X-Is-Admin-Project') == 'True')


def persona_headers(name):
    persona = PERSONAS[name]
    return {'X-User-Id': f'user-{name}', 'X-Project-Id': persona.project_id,
            'X-Roles': ','.join(persona.roles),
            'X-Is-Admin-Project': str(persona.is_admin_project)}


class Api:
    """The Flask test client; ``as_=<persona>`` chooses who calls (default ``member``)."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, as_='member', headers=None, **kwargs):
        all_headers = persona_headers(as_) if as_ is not None else {}
        all_headers.update(headers or {})
        # buffered: the body is read and the app's iterator closed (a download
        # holds a file open until then), as a WSGI server does.
        return self.client.open(path, method=method, headers=all_headers, buffered=True,
                                **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, **kwargs):
        return self.request('POST', path, **kwargs)

    def put(self, path, **kwargs):
        return self.request('PUT', path, **kwargs)

    def patch(self, path, changes, content_type=PATCH_V21, **kwargs):
        return self.request('PATCH', path, data=json.dumps(changes), content_type=content_type,
                            **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


@dataclasses.dataclass
class ImageEnv:
    conf: object
    db: Database
    backend: Backend
    app: object
    api: Api

    def store_files(self):
        """Every file in the store directory, partial ones included."""
        return sorted(os.listdir(self.backend.store.directory))

    def staging_files(self):
        return sorted(os.listdir(self.backend.staging.directory))


def build_env(state_path, **overrides):
    """An image API; ``overrides`` as for ``make_conf`` (``image__max_image_size=…``)."""
    conf = make_conf(state_path, register=image_conf.register_opts, **overrides)
    db = Database('sqlite://')
    models.Base.metadata.create_all(db.engine)
    backend = Backend(conf, allowed=support.allowed, db=db)
    app = create_app(conf, backend=backend, authenticate=authenticate, wrap_auth=False)
    app.testing = True
    return ImageEnv(conf=conf, db=db, backend=backend, app=app, api=Api(app.test_client()))
