"""The agent's image paths with the real file driver, qemu-img and the real image API:
images become volumes in the volume's format, volumes become images in the asked format,
and every failure is reported (and deletes the image of a failed upload)."""
import json
import os
import subprocess
import uuid
from unittest import mock

import pytest

from common.context import RequestContext
from tests.unit.volume import image_service as image_api
from volume import rpcapi
from volume.agent import image_transfer
from volume.agent.drivers import file
from volume.agent.manager import AgentManager

# The real image API on the loopback interface (fixtures of tests.unit.volume.image_service).
image_service, as_user = image_api.image_service, image_api.as_user

BACKEND = 'node-1@file'
GiB, MiB = 1024 ** 3, 1024 ** 2
MARKERS = ((0, b'a' * 4096), (5 * MiB + 512, b'b' * 4096))
MEMBER = RequestContext(user_id='user-member', project_id='project-p')


@pytest.fixture
def drv(backend_conf):
    made = file.FileDriver(backend_conf, backend_conf.host)
    made._layout.make_directories()
    return made


@pytest.fixture
def conductor():
    return mock.Mock(spec=rpcapi.ConductorAPI)


@pytest.fixture
def agent(drv, backend_conf, conductor, as_user):
    transfer = image_transfer.ImageTransfer(backend_conf, drv)
    transfer._connection = as_user
    return AgentManager(drv, conductor, BACKEND, images=transfer)


@pytest.fixture
def images(image_service):
    return image_service[0]


def reported(conductor):
    [call] = conductor.volume_done.call_args_list
    _, volume_id, action, host = call.args
    return volume_id, action, host, call.kwargs['values'], call.kwargs['error']


def _raw_with_markers(path, size=64 * MiB):
    with open(path, 'wb') as stream:
        stream.truncate(size)
        for offset, data in MARKERS:
            stream.seek(offset)
            stream.write(data)
    return path


def _convert(source, source_fmt, dest, dest_fmt):
    subprocess.run(['qemu-img', 'convert', '-q', '-f', source_fmt, '-O', dest_fmt, source,
                    dest], check=True)
    return dest


def _holds_markers(raw_path):
    with open(raw_path, 'rb') as stream:
        for offset, data in MARKERS:
            stream.seek(offset)
            if stream.read(len(data)) != data:
                return False
    return True


def _read(path):
    with open(path, 'rb') as stream:
        return stream.read()


def _info(path):
    return json.loads(subprocess.run(['qemu-img', 'info', '--output=json', path],
                                     check=True, capture_output=True, text=True).stdout)


def _new_volume(fmt='raw', size=1):
    return {'id': str(uuid.uuid4()), 'size': size, 'format': fmt}


def _conversion_files(backend_conf):
    return os.listdir(backend_conf.backend.image_conversion_dir)


@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_a_qcow2_image_becomes_a_volume_in_the_volumes_format(agent, conductor, images,
                                                              backend_conf, tmp_path, fmt):
    raw = _raw_with_markers(str(tmp_path / 'disk.raw'))
    data = _read(_convert(raw, 'raw', str(tmp_path / 'disk.qcow2'), 'qcow2'))
    image = image_api.upload(images, data, disk_format='qcow2')
    volume = _new_volume(fmt)
    agent.create_volume(MEMBER, volume, image={'id': image['id']})
    volume_id, action, host, values, error = reported(conductor)
    assert (volume_id, action, host, error) == (volume['id'], rpcapi.CREATE, BACKEND, None)
    assert values['format'] == fmt
    described = _info(values['provider_location'])
    assert (described['format'], described['virtual-size']) == (fmt, GiB)
    check = _convert(values['provider_location'], fmt, str(tmp_path / 'check.raw'), 'raw')
    assert _holds_markers(check)
    assert _conversion_files(backend_conf) == []


def test_an_image_larger_than_the_volume_is_reported_and_makes_nothing(
        agent, conductor, images, backend_conf, tmp_path):
    path = str(tmp_path / 'big.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '2G'], check=True)
    image = image_api.upload(images, _read(path), disk_format='qcow2')
    agent.create_volume(MEMBER, _new_volume(), image={'id': image['id']})
    _, action, _, values, error = reported(conductor)
    assert (action, values) == (rpcapi.CREATE, None)
    assert 'does not fit in volume' in error
    assert os.listdir(backend_conf.backend.volumes_dir) == []
    assert _conversion_files(backend_conf) == []


def test_an_image_the_user_may_not_see_is_not_downloaded(agent, conductor, images,
                                                         backend_conf):
    image = image_api.upload(images, b'\0' * MiB, as_='other_member')
    agent.create_volume(MEMBER, _new_volume(), image={'id': image['id']})
    _, _, _, values, error = reported(conductor)
    assert values is None and f"Image {image['id']} could not be downloaded" in error
    assert os.listdir(backend_conf.backend.volumes_dir) == []
    assert _conversion_files(backend_conf) == []


def test_a_non_bare_image_is_refused(agent, conductor, images):
    image = image_api.upload(images, b'\0' * MiB, container_format='ova')
    agent.create_volume(MEMBER, _new_volume(), image={'id': image['id']})
    assert 'only bare images become volumes' in reported(conductor)[4]


def _volume_file(drv, backend_conf, tmp_path, fmt='raw'):
    volume = _new_volume(fmt)
    update = drv.create_volume(volume)
    raw = _raw_with_markers(str(tmp_path / 'content.raw'), GiB)
    subprocess.run(['qemu-img', 'convert', '-q', '-n', '-f', 'raw', '-O', fmt, raw,
                    update['provider_location']], check=True)
    return {**volume, 'provider_location': update['provider_location']}


@pytest.mark.parametrize('disk_format', ['raw', 'qcow2'])
def test_a_volume_is_uploaded_into_its_image(agent, conductor, drv, images, backend_conf,
                                             tmp_path, disk_format):
    volume = _volume_file(drv, backend_conf, tmp_path, fmt='qcow2')
    image = image_api.queued(images, disk_format=disk_format)
    agent.copy_volume_to_image(MEMBER, volume, {'id': image['id'], 'disk_format': disk_format})
    assert reported(conductor) == (volume['id'], rpcapi.UPLOAD_IMAGE, BACKEND,
                                   {'image_id': image['id']}, None)
    uploaded = images.api.get(f"/v2/images/{image['id']}").json
    assert uploaded['status'] == 'active'
    data = images.api.get(f"/v2/images/{image['id']}/file").get_data()
    downloaded = tmp_path / 'downloaded'
    downloaded.write_bytes(data)
    assert _info(str(downloaded))['format'] == disk_format
    assert _holds_markers(_convert(str(downloaded), disk_format, str(tmp_path / 'back.raw'),
                                   'raw'))
    assert _conversion_files(backend_conf) == []


def test_a_failed_upload_deletes_the_image_and_is_reported(agent, conductor, images,
                                                           backend_conf):
    image = image_api.queued(images)
    missing = {**_new_volume(), 'provider_location': None}
    agent.copy_volume_to_image(MEMBER, missing, {'id': image['id'], 'disk_format': 'raw'})
    volume_id, action, _, values, error = reported(conductor)
    assert (volume_id, action, values) == (missing['id'], rpcapi.UPLOAD_IMAGE, None)
    assert error
    assert images.api.get(f"/v2/images/{image['id']}").status_code == 404
    assert _conversion_files(backend_conf) == []


def test_an_upload_into_an_image_of_another_project_fails_and_leaves_it(
        agent, conductor, drv, images, backend_conf, tmp_path):
    volume = _volume_file(drv, backend_conf, tmp_path)
    image = image_api.queued(images, as_='other_member')
    agent.copy_volume_to_image(MEMBER, volume, {'id': image['id'], 'disk_format': 'raw'})
    assert 'The upload to image' in reported(conductor)[4]
    assert images.api.get(f"/v2/images/{image['id']}", as_='other_member').json['status'] \
        == 'queued'


def test_without_the_image_service_image_requests_are_reported_failed(drv, conductor):
    agent = AgentManager(drv, conductor, BACKEND)
    agent.create_volume(MEMBER, _new_volume(), image={'id': str(uuid.uuid4())})
    assert 'no access to the image service' in reported(conductor)[4]
