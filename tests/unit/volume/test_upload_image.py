"""os-volume_upload_image: the API creates the queued image in the real image API as the
user and sets the volume ``uploading``; the conductor casts the copy to the volume's agent
and puts the volume back when it reports; failures delete the image."""
import threading
import types

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from werkzeug import serving

from common.context import RequestContext
from stratus import Connection
from tests.unit.image.fixtures import persona_headers
from tests.unit.volume import image_service as image_api
from tests.unit.volume.conductor.helpers import RecordingAgents
from volume import images as image_client
from volume import rpcapi
from volume import states
from volume.conductor import images as conductor_images
from volume.conductor import orchestration

# The real image API on the loopback interface (fixtures of tests.unit.volume.image_service).
image_service, as_user = image_api.image_service, image_api.as_user

ACTION = 'os-volume_upload_image'
BACKEND = 'host1@file'
MiB = 1024 ** 2


@pytest.fixture
def images(env, image_service, as_user):
    """The image env; the volume API reaches that image API as its callers."""
    env.app.images._connection = as_user
    return image_service[0]


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (fault,) = response.get_json().values()
    assert fault['code'] == code and fault['message']
    return fault['message']


def _image_ids(images, as_='cloud_admin'):
    return [i['id'] for i in images.api.get('/v2/images', as_=as_).json['images']]


def _upload(api, volume_id, as_='member', version=None, **args):
    args.setdefault('image_name', 'from-volume')
    return api.action(volume_id, ACTION, args, as_=as_, version=version)


def test_an_upload_creates_the_queued_image_and_sets_the_volume_uploading(env, api, images):
    volume = env.available_volume(size=2, description='data')
    response = _upload(api, volume['id'], disk_format='qcow2', force=False)
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()[ACTION]
    image = images.api.get(f"/v2/images/{body['image_id']}").json
    assert (image['name'], image['status'], image['visibility'], image['protected']) == \
        ('from-volume', 'queued', 'private', False)
    assert (image['disk_format'], image['container_format'], image['min_disk']) == \
        ('qcow2', 'bare', 2)
    assert image['owner'] == 'project-p'
    assert {k: body[k] for k in ('id', 'status', 'display_description', 'size',
                                 'container_format', 'disk_format', 'image_name')} == {
        'id': volume['id'], 'status': 'uploading', 'display_description': 'data', 'size': 2,
        'container_format': 'bare', 'disk_format': 'qcow2', 'image_name': 'from-volume'}
    assert body['volume_type']['name'] == '__DEFAULT__' and body['updated_at']
    assert 'visibility' not in body
    row = env.volume_row(volume['id'])
    assert (row.status, row.previous_status) == (states.UPLOADING, states.AVAILABLE)
    assert env.conductor.named('upload_image') == [
        {'volume_id': volume['id'], 'image': {'id': body['image_id'], 'disk_format': 'qcow2'}}]


def test_raw_and_bare_are_the_defaults_and_3_1_adds_visibility(env, api, images):
    volume = env.available_volume()
    response = _upload(api, volume['id'], version='3.1', visibility='shared', protected=True)
    body = response.get_json()[ACTION]
    assert (body['disk_format'], body['container_format']) == ('raw', 'bare')
    assert (body['visibility'], body['protected']) == ('shared', True)
    image = images.api.get(f"/v2/images/{body['image_id']}").json
    assert (image['visibility'], image['protected']) == ('shared', True)


def test_the_properties_of_the_volumes_image_are_passed_on(env, api, images):
    source = image_api.upload(images, b'\0' * MiB, name='cirros', os_distro='cirros')
    volume = api.volume(size=1, imageRef=source['id'])
    env.update_volume(volume['id'], status=states.AVAILABLE, host=BACKEND + '#file')
    body = _upload(api, volume['id']).get_json()[ACTION]
    image = images.api.get(f"/v2/images/{body['image_id']}").json
    assert (image['os_distro'], image['name'], image['disk_format']) == \
        ('cirros', 'from-volume', 'raw')
    assert 'image_id' not in image


def test_an_in_use_volume_needs_force(env, api, images):
    volume = env.available_volume()
    env.add_attachment(volume['id'])
    assert 'must be available' in _error(_upload(api, volume['id']))
    assert _image_ids(images) == []
    assert _upload(api, volume['id'], force=True).status_code == 202
    row = env.volume_row(volume['id'])
    assert (row.status, row.previous_status) == (states.UPLOADING, states.IN_USE)


@pytest.mark.parametrize('status', [states.CREATING, states.UPLOADING, states.ERROR])
def test_other_statuses_are_refused_even_with_force(env, api, images, status):
    volume = env.available_volume()
    env.update_volume(volume['id'], status=status)
    _error(_upload(api, volume['id'], force=True))
    assert _image_ids(images) == []


def test_another_projects_volume_is_404_and_makes_no_image(env, api, images):
    volume = env.available_volume(as_='other_member')
    _error(_upload(api, volume['id']), 404)
    assert _image_ids(images) == []
    assert env.volume_row(volume['id']).status == states.AVAILABLE


def test_a_reader_may_not_upload(env, api, images):
    volume = env.available_volume()
    _error(_upload(api, volume['id'], as_='reader'), 403)


def test_a_public_image_is_for_cloud_admins(env, api, images):
    volume = env.available_volume()
    _error(_upload(api, volume['id'], version='3.1', visibility='public'), 403)
    assert _image_ids(images) == []
    response = _upload(api, volume['id'], as_='cloud_admin', version='3.1',
                       visibility='public')
    assert response.status_code == 202, response.get_data(as_text=True)


@pytest.mark.parametrize('args, words', [
    ({'disk_format': 'vmdk'}, "Invalid disk-format 'vmdk'"),
    ({'container_format': 'ova'}, "Invalid container-format 'ova'"),
    ({'image_name': ''}, None), ({'image_name': None}, None), ({'force': 'maybe'}, None),
    ({'visibility': 'everyone'}, None), ({'unknown': 1}, None),
])
def test_bad_arguments_are_400(env, api, images, args, words):
    volume = env.available_volume()
    message = _error(_upload(api, volume['id'], version='3.1', **args))
    assert words is None or words in message
    assert _image_ids(images) == []
    assert env.volume_row(volume['id']).status == states.AVAILABLE


def test_an_unreachable_conductor_puts_the_volume_back_and_deletes_the_image(env, api,
                                                                            images):
    volume = env.available_volume()
    env.conductor.fail = True
    _error(_upload(api, volume['id']), 503)
    row = env.volume_row(volume['id'])
    assert (row.status, row.previous_status) == (states.AVAILABLE, None)
    assert _image_ids(images) == []


def test_an_unreachable_image_service_is_503_and_changes_nothing(env, api):
    volume = env.available_volume()
    _error(_upload(api, volume['id']), 503)
    assert env.volume_row(volume['id']).status == states.AVAILABLE


# --- the conductor --------------------------------------------------------------------------

@pytest.fixture
def agents():
    return RecordingAgents()


@pytest.fixture
def uploads(env, agents, as_user):
    client = image_client.ImageClient(env.conf)
    client._connection = as_user
    return conductor_images.Uploads(env.conf, env.db, agents, image_client=client)


CTX = RequestContext(user_id='user-member', project_id='project-p')


def _uploading(env, api):
    volume = env.available_volume()
    body = _upload(api, volume['id']).get_json()[ACTION]
    [cast] = env.conductor.named('upload_image')
    return volume['id'], body['image_id'], cast['image']


def test_the_conductor_casts_the_copy_and_ends_it_when_reported(env, api, images, uploads,
                                                                agents):
    volume_id, _image_id, target = _uploading(env, api)
    uploads.upload_image(CTX, volume_id, target)
    [(method, backend, kwargs)] = agents.calls
    assert (method, backend, kwargs['image']) == ('copy_volume_to_image', BACKEND, target)
    assert kwargs['volume']['id'] == volume_id
    done = orchestration.Orchestrator(env.conf, env.db, agents).volume_done
    assert not done(volume_id, rpcapi.UPLOAD_IMAGE, 'host2@file', {'image_id': 'x'}, None)
    assert done(volume_id, rpcapi.UPLOAD_IMAGE, BACKEND, {'image_id': target['id']}, None)
    row = env.volume_row(volume_id)
    assert (row.status, row.previous_status) == (states.AVAILABLE, None)
    assert not done(volume_id, rpcapi.UPLOAD_IMAGE, BACKEND, {'image_id': target['id']}, None)


def test_a_failed_upload_puts_the_volume_back_too(env, api, images, uploads, agents):
    volume_id, _image_id, target = _uploading(env, api)
    env.add_attachment(volume_id)  # it was in use, uploaded with force
    env.update_volume(volume_id, status=states.UPLOADING, previous_status=states.IN_USE)
    done = orchestration.Orchestrator(env.conf, env.db, agents).volume_done
    assert done(volume_id, rpcapi.UPLOAD_IMAGE, BACKEND, None, 'qemu-img failed')
    assert env.volume_row(volume_id).status == states.IN_USE


def test_an_unreachable_agent_ends_the_upload_and_deletes_the_image(env, api, images, uploads,
                                                                   agents):
    volume_id, image_id, target = _uploading(env, api)
    agents.fail = True
    uploads.upload_image(CTX, volume_id, target)
    assert env.volume_row(volume_id).status == states.AVAILABLE
    assert image_id not in _image_ids(images)


def test_a_volume_no_longer_uploading_is_left_alone(env, api, images, uploads, agents):
    volume_id, image_id, target = _uploading(env, api)
    env.update_volume(volume_id, status=states.ERROR)
    uploads.upload_image(CTX, volume_id, target)
    assert agents.calls == []
    assert env.volume_row(volume_id).status == states.ERROR


# --- the clients: Stratus's SDK and OpenStack's (``openstack image create --volume``) -------

@pytest.fixture
def volume_url(env):
    """The volume API on 127.0.0.1, authenticating a token as the persona it names."""
    authenticate = env.app.authenticate

    def by_token(request):
        persona = request.headers.get('X-Auth-Token')
        if persona is None:
            return authenticate(request)
        return authenticate(types.SimpleNamespace(headers=persona_headers(persona)))
    env.app.authenticate = by_token
    server = serving.make_server('127.0.0.1', 0, env.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    thread.join()


def test_the_stratus_sdk_uploads_a_volume(env, images, volume_url):
    volume = env.available_volume()
    session = ks_session.Session()
    conn = Connection(session=session,
                      auth=token_endpoint.Token(f'{volume_url}/v3/project-p', 'member'))
    answer = conn.block_storage.upload_volume_to_image(volume['id'], 'sdk-image',
                                                       disk_format='qcow2')
    session.session.close()
    assert (answer['image_name'], answer['disk_format'], answer['status']) == \
        ('sdk-image', 'qcow2', 'uploading')
    assert images.api.get(f"/v2/images/{answer['image_id']}").json['name'] == 'sdk-image'


def test_openstacksdk_uploads_a_volume_as_openstack_image_create_does(env, images,
                                                                      volume_url):
    volume = env.available_volume()
    conn = openstack.connection.Connection(
        session=ks_session.Session(auth=token_endpoint.Token(volume_url, 'member')),
        block_storage_endpoint_override=f'{volume_url}/v3/project-p',
        block_storage_api_version='3')
    # What python-openstackclient's ``image create --volume`` sends at 3.1 and reads back.
    answer = conn.block_storage.upload_volume_to_image(
        volume['id'], 'osc-image', force=False, disk_format='raw', container_format='bare',
        visibility='private', protected=False)
    assert answer['volume_type']['name'] == '__DEFAULT__'
    assert (answer['image_name'], answer['container_format']) == ('osc-image', 'bare')
    assert images.api.get(f"/v2/images/{answer['image_id']}").json['status'] == 'queued'
