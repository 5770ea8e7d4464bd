"""A conductor and a file backend's agent over ``fake://`` RPC: the backend reports
itself, and a volume is created, extended and deleted on disk."""
import os
import time

import pytest
import sqlalchemy as sa

from common import rpc
from common.context import RequestContext
from tests.unit import make_conf
from volume import conf as volume_conf
from volume import rpcapi
from volume import service_names
from volume import states
from volume.agent import opts
from volume.agent.service import AgentProcess
from volume.conductor.manager import ConductorService
from volume.db import models as m
from tests.unit.volume.conductor.helpers import created

GiB = 1024 ** 3


def register_agent(conf):
    volume_conf.register_opts(conf, database=False)
    opts.register_opts(conf)


def wait_until(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.05)
    return result


@pytest.fixture
def deployment(make_env, tmp_path):
    env = make_env(host='ctl-1', db_url=f'sqlite:///{tmp_path}/volume.db')
    transport = rpc.get_transport(env.conf)
    agent_conf = make_conf(tmp_path / 'agent', register=register_agent, host='node-1')
    conductor = ConductorService(env.conf, env.db, transport=transport)
    agent = AgentProcess(agent_conf, transport=transport)
    conductor.start()
    agent.start()
    try:
        yield env, rpcapi.ConductorAPI(env.conf, transport=transport)
    finally:
        agent.stop(timeout=5)
        conductor.stop(timeout=5)
        transport.cleanup()


def service(env, binary, host):
    with env.db.reader() as session:
        return session.execute(sa.select(m.Service).where(
            m.Service.binary == binary, m.Service.host == host)).scalar_one_or_none()


def volume_in(env, volume_id, *wanted):
    def check():
        row = env.volume_row(volume_id)
        return row if row.status in wanted else None
    return wait_until(check)


def test_a_volume_is_made_grown_and_removed_on_its_backend(deployment):
    env, conductor_api = deployment
    backend = wait_until(lambda: service(env, service_names.AGENT_BINARY, 'node-1@file'))
    assert backend.capabilities['volume_backend_name'] == 'file'
    assert service(env, service_names.CONDUCTOR_BINARY, 'ctl-1') is not None
    ctx = RequestContext.admin()

    volume, spec = created(env, size=1)
    conductor_api.create_volume(ctx, volume['id'], spec)
    row = volume_in(env, volume['id'], states.AVAILABLE, states.ERROR)
    assert (row.status, row.host, row.format) == (states.AVAILABLE, 'node-1@file#file', 'raw')
    assert os.path.getsize(row.provider_location) == GiB

    assert env.api.action(volume['id'], 'os-extend', {'new_size': 2}).status_code == 202
    conductor_api.extend_volume(ctx, volume['id'], 2)
    row = volume_in(env, volume['id'], states.AVAILABLE, states.ERROR_EXTENDING)
    assert (row.status, row.size) == (states.AVAILABLE, 2)
    assert os.path.getsize(row.provider_location) == 2 * GiB

    assert env.api.delete(f"volumes/{volume['id']}").status_code == 202
    conductor_api.delete_volume(ctx, volume['id'])
    row = volume_in(env, volume['id'], states.DELETED, states.ERROR_DELETING)
    assert row.status == states.DELETED and row.deleted_at is not None
    assert not os.path.exists(row.provider_location)
