"""Service records: the conductor's own heartbeat and the backends' reports."""
import pytest
import sqlalchemy as sa

from common import exceptions
from volume import service_names
from volume.conductor import backend_reports
from volume.db import models as m
from tests.unit.volume.conductor.helpers import report_backend


def record(env, host, binary=service_names.AGENT_BINARY):
    with env.db.reader() as session:
        return session.execute(sa.select(m.Service).where(
            m.Service.host == host, m.Service.binary == binary)).scalar_one()


def services(env):
    response = env.api.get('os-services', as_='cloud_admin')
    assert response.status_code == 200, response.get_data(as_text=True)
    return {(s['binary'], s['host']): s for s in response.get_json()['services']}


def test_a_backend_report_records_its_zone_and_capabilities(env):
    report_backend(env, 'node-1@file', zone='az-1', free=40)
    report_backend(env, 'node-1@file', zone='az-1', free=30)
    row = record(env, 'node-1@file')
    assert (row.report_count, row.availability_zone) == (2, 'az-1')
    assert row.capabilities['free_capacity_gb'] == 30
    shown = services(env)[('cinder-volume', 'node-1@file')]
    assert (shown['state'], shown['zone']) == ('up', 'az-1')


@pytest.mark.parametrize('state', [
    {'host': 'node-1', 'availability_zone': 'nova', 'capabilities': {}},
    {'host': 'node-1@file', 'capabilities': {}},
    {'host': 'node-1@file', 'availability_zone': 'nova', 'capabilities': []},
])
def test_a_malformed_report_is_refused(env, state):
    with pytest.raises(exceptions.BadRequest):
        backend_reports.report_state(env.db, state)
    with env.db.reader() as session:
        assert session.execute(sa.select(m.Service)).first() is None


def test_the_conductor_records_itself_as_cinder_scheduler(env):
    env.conf.set_override('host', 'ctl-1')
    backend_reports.conductor_heartbeat(env.db, env.conf)
    backend_reports.conductor_heartbeat(env.db, env.conf)
    row = record(env, 'ctl-1', service_names.CONDUCTOR_BINARY)
    assert (row.report_count, row.availability_zone) == (2, 'nova')
    assert services(env)[('cinder-scheduler', 'ctl-1')]['state'] == 'up'
