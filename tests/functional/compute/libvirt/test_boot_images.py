"""Boot images from the real image service into the driver's cache, as the requesting user.

``compute.agent.images.BootImages`` is the agent side of the image
service boundary: an image is downloaded with the user's token (plus the
agent's own), so only images the user may see reach the host, verified by
the SDK against the hash the image service recorded.
"""
import hashlib
import os
import stat
import subprocess
import uuid

import pytest
from oslo_config import cfg

from common.context import RequestContext
from compute import conf as compute_conf
from compute.agent import images
from compute.agent.drivers import driver as virt
from compute.agent.drivers.libvirt import imagecache
from compute.agent.drivers.libvirt import layout
from stratus.image import transfer
from tests import servers
from tests.functional.compute import helpers as compute_helpers


@pytest.fixture(scope='module')
def agent_conf(identity, image, tmp_path_factory):
    """The agent's options: its own service user, the session's identity and image APIs."""
    directory = tmp_path_factory.mktemp('agent')
    username, password = servers.unique_name('compute'), servers.unique_name('pw')
    identity.manage('ensure-user', '--name', username, '--password', password,
                    '--project', 'service', '--role', 'service')
    path = directory / 'compute.conf'
    path.write_text(f"[DEFAULT]\nstate_path = {directory}\n"
                    f"{servers.service_auth_conf(identity, username, password)}")
    conf = cfg.ConfigOpts()
    compute_conf.register_opts(conf)
    conf(args=['--config-file', str(path)], project='stratus', default_config_files=[],
         default_config_dirs=[])
    return conf


def _context(account):
    return RequestContext(auth_token=account.token, user_id=account.user_id,
                          project_id=account.project_id, roles=['member'],
                          global_request_id=f'req-{uuid.uuid4()}')


@pytest.fixture(scope='module')
def qcow2_data(tmp_path_factory):
    path = tmp_path_factory.mktemp('disk') / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path), '64M'], check=True)
    return path.read_bytes()


def test_an_image_is_fetched_as_the_user_and_verified(agent_conf, image, make_account,
                                                      qcow2_data, tmp_path):
    account = make_account()
    image_id = compute_helpers.make_image(image, account.token, qcow2_data, 'qcow2')
    fetch_image = _bound(agent_conf, _context(account))
    paths = _paths(tmp_path)
    path = imagecache.ImageCache(paths).fetch(image_id, fetch_image)
    with open(path, 'rb') as f:
        assert f.read() == qcow2_data
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(paths.base_dir) == [image_id]


def test_data_that_is_not_the_image_s_is_refused(agent_conf, image, make_account, qcow2_data,
                                                 tmp_path, monkeypatch):
    """The SDK's check, the only one: data altered on the way never reaches the cache."""
    account = make_account()
    image_id = compute_helpers.make_image(image, account.token, qcow2_data, 'qcow2')
    real_save = transfer.save

    def altering_save(response, destination, record, progress=None):
        record = dict(record, os_hash_value=hashlib.sha512(b'other data').hexdigest())
        return real_save(response, destination, record, progress)
    monkeypatch.setattr(transfer, 'save', altering_save)
    paths = _paths(tmp_path)
    with pytest.raises(virt.DriverError, match=f'The data of image {image_id} does not match '
                                               f'its sha512 hash'):
        imagecache.ImageCache(paths).fetch(image_id, _bound(agent_conf, _context(account)))
    assert os.listdir(paths.base_dir) == []


def test_an_image_the_user_may_not_see_is_not_fetched(agent_conf, image, make_account,
                                                      qcow2_data, tmp_path):
    owner, stranger = make_account(), make_account()
    image_id = compute_helpers.make_image(image, owner.token, qcow2_data, 'qcow2',
                                          visibility='private')
    paths = _paths(tmp_path)
    with pytest.raises(virt.DriverError, match=f'Image {image_id} could not be downloaded'):
        imagecache.ImageCache(paths).fetch(image_id, _bound(agent_conf, _context(stranger)))
    assert os.listdir(paths.base_dir) == []


def _paths(directory):
    paths = layout.InstancesPath(str(directory), 'h1')
    paths.prepare()
    return paths


def _bound(conf, ctx):
    """``fetch_image`` as ``AgentManager`` binds it to an order's context."""
    boot_images = images.BootImages(conf)
    return lambda image_id, stream: boot_images.fetch(ctx, image_id, stream)
