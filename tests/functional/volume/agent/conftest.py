"""Fixtures of the file driver's functional tests: the real qemu-img on files in a temporary
directory.

Nothing here needs a server, a database or RabbitMQ.  Volumes are 1 GiB
sparse files (the smallest size the API allows), so they cost almost no
disk; backups use 1 MiB chunks, so that markers a few MiB apart fall in
different chunks.  After every test, no ``.part`` file may be left: a
failed operation must clean up behind itself.
"""
import os
import uuid

import pytest

from common import config as common_config
from common import rpc
from tests.unit import make_conf
from volume.agent import opts
from volume.agent.drivers import file


def _register(conf):
    common_config.register_common_opts(conf)
    rpc.register_opts(conf)
    opts.register_opts(conf)


@pytest.fixture
def conf(tmp_path):
    return make_conf(tmp_path, register=_register, backend__backup_chunk_size_mb=1,
                     backend__qemu_img_timeout=120)


@pytest.fixture
def drv(conf, tmp_path):
    made = file.FileDriver(conf, 'host-1')
    made.setup()
    yield made
    left = [name for directory in ('volumes', 'backups', 'conversion')
            for name in os.listdir(tmp_path / directory) if name.endswith('.part')]
    assert left == [], 'temporary files left behind'


def new_id():
    return str(uuid.uuid4())


@pytest.fixture
def make_volume(drv):
    """``make_volume(fmt, size=1)``: a new empty volume made by the driver, as a payload."""
    def make(fmt, size=1):
        volume = {'id': new_id(), 'size': size, 'format': fmt}
        volume.update(drv.create_volume(volume))
        return volume
    return make
