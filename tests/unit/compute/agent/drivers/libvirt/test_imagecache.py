"""The per-host image cache: one verified download per image, readable by root only."""
import hashlib
import os
import stat
import threading

import pytest

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import imagecache
from compute.agent.drivers.libvirt import layout
from tests.unit.compute.agent.drivers.libvirt import fake_images

DATA = b'guest image data ' * 1000


def _service(data=DATA, **kwargs):
    return fake_images.ImageService({'img-1': data}, **kwargs)


@pytest.fixture
def paths(tmp_path):
    paths = layout.InstancesPath(str(tmp_path), 'h1')
    paths.prepare()
    return paths


@pytest.fixture
def cache(paths):
    return imagecache.ImageCache(paths)


def test_downloads_once_verified_and_private(cache, paths):
    service = _service(os_hash_algo='sha512', os_hash_value=hashlib.sha512(DATA).hexdigest(),
                           checksum='ignored when a multihash is given')
    path = cache.fetch('img-1', service)
    assert path == os.path.join(paths.base_dir, 'img-1')
    with open(path, 'rb') as f:
        assert f.read() == DATA
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert cache.fetch('img-1', service) == path
    assert service.calls == ['img-1']
    assert os.listdir(paths.base_dir) == ['img-1']


def test_falls_back_to_the_md5_checksum(cache):
    service = _service(checksum=hashlib.md5(DATA).hexdigest().upper())
    assert os.path.exists(cache.fetch('img-1', service))


def test_a_mismatch_fails_and_leaves_nothing(cache, paths):
    service = _service(os_hash_algo='sha512', os_hash_value='0' * 128)
    with pytest.raises(DriverError, match='img-1 could not be downloaded: .*does not match '
                                          'its sha512 hash'):
        cache.fetch('img-1', service)
    assert os.listdir(paths.base_dir) == []


def test_a_failed_download_is_a_driver_error_and_leaves_nothing(cache, paths):
    def broken(image_id, stream):
        stream.write(b'partial')
        raise ConnectionError('image service went away')
    with pytest.raises(DriverError, match='img-1 could not be downloaded: image service'):
        cache.fetch('img-1', broken)
    assert os.listdir(paths.base_dir) == []


def test_concurrent_spawns_share_one_download(cache):
    service = _service(delay=0.3, checksum=hashlib.md5(DATA).hexdigest())
    paths = []
    threads = [threading.Thread(target=lambda: paths.append(cache.fetch('img-1', service)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert service.calls == ['img-1']
    assert len(set(paths)) == 1 and len(paths) == 4


def test_image_ids_are_file_names_only(cache):
    with pytest.raises(DriverError, match='cannot name a file'):
        cache.fetch('../escape', _service())
