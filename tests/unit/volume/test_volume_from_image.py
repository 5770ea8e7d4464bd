"""Volumes from images: the API checks the image through the real image API as the user
(visible, active, fitting the size) and records it; the conductor names it to the agent.
"""
import subprocess

import pytest

from tests.unit.volume import image_service as image_api
from tests.unit.volume.conductor.helpers import RecordingAgents, report_backend
from volume import rpcapi
from volume import states
from volume.conductor import orchestration
from volume.db import models as m

# The real image API on the loopback interface (fixtures of tests.unit.volume.image_service).
image_service, as_user = image_api.image_service, image_api.as_user

BACKEND = 'node-1@file'
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


def _create(api, as_='member', **attrs):
    return api.post('volumes', {'volume': attrs}, as_=as_)


def _volume_count(env):
    with env.db.reader() as session:
        return session.query(m.Volume).count()


def test_a_volume_from_an_image_records_it_and_is_bootable(env, api, images):
    image = image_api.upload(images, b'\0' * MiB, name='cirros', min_disk=1, os_distro='cirros')
    response = _create(api, size=1, imageRef=image['id'])
    assert response.status_code == 202, response.get_data(as_text=True)
    volume = response.get_json()['volume']
    assert volume['bootable'] == 'true'
    shown = api.get(f"volumes/{volume['id']}").get_json()['volume']
    metadata = shown['volume_image_metadata']
    assert (metadata['image_id'], metadata['image_name'], metadata['disk_format']) == \
        (image['id'], 'cirros', 'raw')
    assert (metadata['container_format'], metadata['min_disk'], metadata['os_distro']) == \
        ('bare', '1', 'cirros')
    assert metadata['checksum'] == image['checksum']
    [cast] = env.conductor.named('create_volume')
    assert cast['request_spec']['image_id'] == image['id']


def test_an_image_link_names_the_image_too(env, api, images):
    image = image_api.upload(images, b'\0' * MiB)
    response = _create(api, size=1, imageRef=f"http://glance:9292/v2/images/{image['id']}")
    assert response.status_code == 202, response.get_data(as_text=True)
    legacy = _create(api, size=1, image_id=image['id'])
    assert legacy.status_code == 202, legacy.get_data(as_text=True)


def test_a_public_image_of_another_project_may_be_used(env, api, images):
    image = image_api.upload(images, b'\0' * MiB, as_='cloud_admin', visibility='public')
    assert _create(api, size=1, imageRef=image['id']).status_code == 202


def test_a_private_image_of_another_project_is_400(env, api, images):
    image = image_api.upload(images, b'\0' * MiB, as_='other_member')
    message = _error(_create(api, size=1, imageRef=image['id']))
    assert image['id'] in message
    assert _volume_count(env) == 0
    assert _create(api, size=1, imageRef=image['id'], as_='other_member').status_code == 202


def test_a_missing_image_is_400(env, api, images):
    _error(_create(api, size=1, imageRef='0b5d2a84-7d6c-4b0e-8f7d-000000000000'))
    assert _volume_count(env) == 0


def test_an_image_without_data_is_400(env, api, images):
    image = image_api.queued(images)
    assert 'is not active' in _error(_create(api, size=1, imageRef=image['id']))


def test_an_image_that_is_not_bare_is_400(env, api, images):
    image = image_api.upload(images, b'\0' * MiB, container_format='ova')
    assert 'only bare images' in _error(_create(api, size=1, imageRef=image['id']))


def test_a_volume_smaller_than_min_disk_is_400(env, api, images):
    image = image_api.upload(images, b'\0' * MiB, min_disk=3)
    assert 'minDisk' in _error(_create(api, size=2, imageRef=image['id']))
    assert _create(api, size=3, imageRef=image['id']).status_code == 202


def test_a_volume_smaller_than_the_virtual_size_is_400(env, api, images, tmp_path):
    path = tmp_path / 'big.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path), '3G'], check=True)
    image = image_api.upload(images, path.read_bytes(), disk_format='qcow2')
    assert image['virtual_size'] == 3 * 1024 ** 3
    assert 'larger than volume size' in _error(_create(api, size=2, imageRef=image['id']))
    assert _create(api, size=3, imageRef=image['id']).status_code == 202


def test_without_a_size_it_is_400_before_the_image_service_is_asked(env, api):
    _error(_create(api, imageRef='0b5d2a84-7d6c-4b0e-8f7d-000000000000'))


def test_an_unreachable_image_service_is_503(env, api):
    # No [service_user] credentials: the service cannot call the image service.
    _error(_create(api, size=1, imageRef='0b5d2a84-7d6c-4b0e-8f7d-000000000000'), 503)
    assert _volume_count(env) == 0


# --- the conductor --------------------------------------------------------------------------

@pytest.fixture
def agents():
    return RecordingAgents()


@pytest.fixture
def orchestrator(env, agents):
    return orchestration.Orchestrator(env.conf, env.db, agents)


def test_the_conductor_names_the_image_to_the_agent(env, api, images, orchestrator, agents):
    report_backend(env, BACKEND)
    image = image_api.upload(images, b'\0' * MiB)
    volume = _create(api, size=1, imageRef=image['id']).get_json()['volume']
    [cast] = env.conductor.named('create_volume')
    orchestrator.create_volume(None, volume['id'], cast['request_spec'])
    [(method, backend, kwargs)] = agents.calls
    assert (method, backend) == ('create_volume', BACKEND)
    assert kwargs['image'] == {'id': image['id']}
    assert (kwargs['snapshot'], kwargs['source_volume']) == (None, None)
    assert orchestrator.volume_done(volume['id'], rpcapi.CREATE, BACKEND,
                                    {'provider_location': '/v', 'format': 'raw'}, None)
    assert env.volume_row(volume['id']).status == states.AVAILABLE


def test_a_volume_without_its_image_record_ends_in_error(env, api, images, orchestrator,
                                                         agents):
    report_backend(env, BACKEND)
    image = image_api.upload(images, b'\0' * MiB)
    volume = _create(api, size=1, imageRef=image['id']).get_json()['volume']
    with env.db.writer() as session:
        session.query(m.VolumeGlanceMetadata).filter_by(volume_id=volume['id']).delete()
    [cast] = env.conductor.named('create_volume')
    orchestrator.create_volume(None, volume['id'], cast['request_spec'])
    assert env.volume_row(volume['id']).status == states.ERROR
    assert agents.calls == []
