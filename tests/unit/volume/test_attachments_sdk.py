"""The SDK's attachment methods (``conn.block_storage``, what compute calls) against the
real volume API: the URLs, bodies and answers they rely on.

The SDK's HTTP goes through a ``requests`` adapter that hands each request
to the volume API's Flask test client, as the persona ``member``.
"""
import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

import stratus
from tests.unit.image.fixtures import persona_headers
from tests.unit.stratus.test_image_proxy import FakeTransport
from tests.unit.volume import attach_helpers as h
from tests.unit.volume.fixtures import PROJECT
from volume import states

ROOT = 'http://volume.test'


@pytest.fixture
def storage(env):
    h.install_agent(env)
    client = env.app.test_client()

    def forward(request, body):
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ('content-type', 'openstack-api-version', 'accept')}
        response = client.open(request.path_url, method=request.method, data=body or None,
                               headers={**headers, **persona_headers('member')})
        return response.status_code, dict(response.headers), response.get_data()
    http = requests.Session()
    http.mount('http://', FakeTransport(forward))
    session = ks_session.Session(auth=token_endpoint.Token(f'{ROOT}/v3/{PROJECT}', 'token'),
                                 session=http)
    yield stratus.Connection(session=session).block_storage
    http.close()


def test_compute_s_sequence_through_the_sdk(env, storage):
    volume = h.made_volume(env)
    attachment = storage.create_attachment(volume['id'], h.SERVER)
    assert attachment['status'] == 'reserved' and attachment['instance'] == h.SERVER
    updated = storage.update_attachment(attachment['id'], h.CONNECTOR)
    assert updated['connection_info']['data']['device_path'].endswith(f"volume-{volume['id']}")
    storage.complete_attachment(attachment['id'])
    assert h.status_of(env, volume['id']) == h.IN_USE
    assert [a['id'] for a in storage.attachments(volume_id=volume['id'])] == [attachment['id']]
    assert storage.get_attachment(attachment['id'])['status'] == 'attached'
    storage.delete_attachment(attachment['id'])
    storage.delete_attachment(attachment['id'])  # gone already: ignored
    assert h.status_of(env, volume['id']) == (states.AVAILABLE, states.DETACHED)


def test_a_create_with_connector_and_mode_through_the_sdk(env, storage):
    volume = h.made_volume(env)
    attachment = storage.create_attachment(volume['id'], h.SERVER, connector=h.CONNECTOR,
                                           mode='ro')
    assert attachment['attach_mode'] == 'ro'
    assert attachment['connection_info']['data']['access_mode'] == 'ro'
