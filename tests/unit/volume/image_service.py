"""The real image API (``image.api``, as its unit tests build it) served on the loopback
interface, for the volume service's image paths.

Only identity is left out: the token a request carries is the name of the
persona it authenticates as (the volume API's ``user-<persona>`` user
ids give it), so the image service applies its own rules to the very
user the volume service acts for.
"""
import threading
import types

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from werkzeug import serving

from stratus import Connection
from tests.unit.image import fixtures as image_fixtures

QCOW2 = 'qcow2'


@pytest.fixture
def image_service(tmp_path):
    """``(env, url)`` of an image API answering on 127.0.0.1 until the test ends."""
    env = image_fixtures.build_env(tmp_path / 'image')
    authenticate = env.app.authenticate

    def by_token(request):
        persona = request.headers.get('X-Auth-Token')
        if persona is None:  # the image env's own test client sends persona headers
            return authenticate(request)
        headers = image_fixtures.persona_headers(persona) \
            if persona in image_fixtures.PERSONAS else {}
        return authenticate(types.SimpleNamespace(headers=headers))
    env.app.authenticate = by_token
    server = serving.make_server('127.0.0.1', 0, env.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield env, f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    thread.join()
    env.db.dispose()


@pytest.fixture
def as_user(image_service):
    """``connect(ctx)``: a ``Connection`` to the image API as the persona of ``ctx``
    (what ``common.clients.user_connection`` gives in a deployment)."""
    _env, url = image_service
    session = ks_session.Session()

    def connect(ctx):
        persona = (ctx.user_id or '').removeprefix('user-')
        return Connection(session=session, auth=token_endpoint.Token(url, persona))
    yield connect
    session.session.close()


def upload(image_env, data, as_='member', **attrs):
    """An active image holding ``data`` (bytes), made through the image API; its body."""
    attrs = {'disk_format': 'raw', 'container_format': 'bare', 'name': 'img', **attrs}
    created = image_env.api.post('/v2/images', json=attrs, as_=as_)
    assert created.status_code == 201, created.get_data(as_text=True)
    image_id = created.json['id']
    uploaded = image_env.api.put(f'/v2/images/{image_id}/file', data=data, as_=as_,
                                 headers={'Content-Type': 'application/octet-stream'})
    assert uploaded.status_code == 204, uploaded.get_data(as_text=True)
    return image_env.api.get(f'/v2/images/{image_id}', as_=as_).json


def queued(image_env, as_='member', **attrs):
    """A queued image (no data), made through the image API; its body."""
    attrs = {'disk_format': 'raw', 'container_format': 'bare', 'name': 'queued', **attrs}
    created = image_env.api.post('/v2/images', json=attrs, as_=as_)
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.json
