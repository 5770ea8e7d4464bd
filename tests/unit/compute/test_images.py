"""Compute's image client against the real image API, served on the loopback interface.

The image service is Stratus's own (``image.api``, as its unit tests build
it); only identity is left out: the token a request carries names the
persona it authenticates as.
"""
import logging
import threading
import types

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from werkzeug import serving

from compute import conf as compute_conf
from compute import images
from stratus import Connection
from tests.unit import make_conf
from tests.unit.image import fixtures as image_fixtures

CTX = types.SimpleNamespace(project_id=image_fixtures.PROJECT)
KERNEL = 'a7c3d3ee-6b4d-4e5f-9b1f-1f0b1a7c0001'


@pytest.fixture
def image_service(tmp_path):
    """``(env, url)`` of an image API answering on 127.0.0.1 until the test ends."""
    env = image_fixtures.build_env(tmp_path / 'image')
    authenticate = env.app.authenticate

    def by_token(request):  # a token is a persona's name; the test client sends headers
        persona = request.headers.get('X-Auth-Token')
        if persona is None:
            return authenticate(request)
        headers = image_fixtures.persona_headers(persona) if persona in \
            image_fixtures.PERSONAS else {}
        return authenticate(types.SimpleNamespace(headers=headers))
    env.app.authenticate = by_token
    server = serving.make_server('127.0.0.1', 0, env.app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield env, f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    thread.join()
    env.db.dispose()


@pytest.fixture
def client(image_service, tmp_path, monkeypatch):
    _env, url = image_service
    conf = make_conf(tmp_path / 'compute', register=compute_conf.register_opts)
    session = ks_session.Session()
    client = images.ImageClient(conf)
    client.endpoint = url
    monkeypatch.setattr(client, '_connection', lambda ctx: Connection(
        session=session, auth=token_endpoint.Token(client.endpoint, 'member')))
    yield client
    session.session.close()


def _image(image_service, image_id):
    env, _url = image_service
    return env.api.get(f'/v2/images/{image_id}')


def test_a_snapshot_image_is_private_qcow2_whatever_its_properties_say(client, image_service):
    image_id = client.create_snapshot(CTX, 'snap', {
        'instance_uuid': 'vm-1', 'kernel_id': KERNEL, 'visibility': 'public',
        'disk_format': 'raw', 'container_format': 'ova', 'name': 'other', 'min_disk': '40'})
    image = _image(image_service, image_id).json
    assert (image['name'], image['status'], image['visibility']) == ('snap', 'queued', 'private')
    assert (image['disk_format'], image['container_format'], image['min_disk']) == \
        ('qcow2', 'bare', 0)
    assert (image['instance_uuid'], image['kernel_id']) == ('vm-1', KERNEL)


def test_delete_removes_the_image_and_a_missing_one_is_fine(client, image_service, caplog):
    image_id = client.create_snapshot(CTX, 'snap', {})
    client.delete(CTX, image_id)
    assert _image(image_service, image_id).status_code == 404
    with caplog.at_level(logging.ERROR, logger=images.__name__):
        client.delete(CTX, image_id)  # already gone: nothing to report
    assert [r for r in caplog.records if r.name == images.__name__] == []


def test_delete_when_the_image_service_is_unreachable_is_logged_not_raised(client, caplog):
    client.endpoint = 'http://127.0.0.1:9'  # the discard port: nothing listens
    with caplog.at_level(logging.ERROR, logger=images.__name__):
        client.delete(CTX, 'c0ffee00-0000-4000-8000-000000000001')
    assert 'Could not delete image c0ffee00-0000-4000-8000-000000000001' in caplog.text
