"""devstack/lib/guest_image's upload_guest_image against a real identity and
image API: the three images with the properties the libvirt driver boots
from, nothing new on a second run, and a new build replacing only what
changed."""
import dataclasses
import os
import shutil
import subprocess
import sys

import pytest

from tests import servers
from tests.functional.guest import conftest

LIB = os.path.join(conftest.CHECKOUT, 'devstack', 'lib')


@dataclasses.dataclass
class Cloud:
    identity: servers.IdentityServer
    image: servers.ImageServer


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    """Identity and image APIs on SQLite."""
    directory = str(tmp_path_factory.mktemp('guest-upload'))
    with servers.database('sqlite', directory) as identity_url, \
            servers.database('sqlite', directory) as image_url:
        identity = servers.IdentityServer(directory, identity_url).start()
        image = None
        try:
            image = servers.ImageServer(directory, image_url, identity,
                                        register_in_catalog=True).start()
            yield Cloud(identity, image)
        finally:
            if image is not None:
                image.stop()
            identity.stop()


def upload(cloud, image_dir):
    """Run upload_guest_image as stack.sh would, for the image in ``image_dir``."""
    script = f'''
set -Eeuo pipefail
source {LIB}/common
source {LIB}/guest_image
STRATUS_VENV={os.path.dirname(os.path.dirname(sys.executable))}
HOST_IP=127.0.0.1
IDENTITY_PORT={cloud.identity.port}
ADMIN_PASSWORD={servers.ADMIN_PASSWORD}
GUEST_IMAGE_DIR={image_dir}
upload_guest_image
'''
    result = subprocess.run(['bash', '-c', script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def list_images(cloud):
    """``{name: image}`` of every image, as the admin sees them."""
    response = cloud.image.client(cloud.identity.client().token).get('/v2/images')
    assert response.status_code == 200, response.text
    return {image['name']: image for image in response.json()['images']}


def test_upload_is_complete_and_idempotent(cloud, guest_image):
    upload(cloud, guest_image.directory)
    images = list_images(cloud)

    kernel, ramdisk = images['stratus-guest-kernel'], images['stratus-guest-ramdisk']
    root = images['stratus-guest']
    assert (kernel['disk_format'], kernel['container_format']) == ('aki', 'aki')
    assert (ramdisk['disk_format'], ramdisk['container_format']) == ('ari', 'ari')
    assert (root['disk_format'], root['container_format']) == ('qcow2', 'bare')
    assert {image['status'] for image in images.values()} == {'active'}
    assert {image['visibility'] for image in images.values()} == {'public'}
    assert root['kernel_id'] == kernel['id']
    assert root['ramdisk_id'] == ramdisk['id']
    assert root['os_command_line'] == guest_image.command_line
    assert (root['hw_disk_bus'], root['os_type']) == ('virtio', 'linux')

    output = upload(cloud, guest_image.directory)

    assert output.count('is up to date') == 3
    assert list_images(cloud) == images


def test_a_new_build_replaces_only_what_changed(cloud, guest_image):
    upload(cloud, guest_image.directory)
    before = list_images(cloud)
    rebuilt = conftest.make_public_dir('stratus-test-image-rebuilt-')
    try:
        shutil.copytree(guest_image.directory, rebuilt, dirs_exist_ok=True)
        os.remove(os.path.join(rebuilt, 'rootfs.qcow2'))
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2',
                        os.path.join(rebuilt, 'rootfs.qcow2'), '64M'], check=True)

        upload(cloud, rebuilt)
    finally:
        shutil.rmtree(rebuilt, ignore_errors=True)

    after = list_images(cloud)
    old_root = before['stratus-guest']
    assert after['stratus-guest']['id'] != old_root['id']
    assert after[f'stratus-guest-{old_root["id"][:8]}']['id'] == old_root['id']
    for name in ('stratus-guest-kernel', 'stratus-guest-ramdisk'):
        assert after[name]['id'] == before[name]['id']
    assert after['stratus-guest']['kernel_id'] == before['stratus-guest-kernel']['id']
