"""Agents: the conductor's report writes a row; the API shows it, alive or not."""
import datetime

import sqlalchemy as sa

from network.db import api as db_api
from network.db import models as m


def _report(env, host='host-1', start_flag=False, agent_type='DHCP agent', zone='nova'):
    with env.db.writer() as session:
        agent = db_api.report_agent_state(
            session, agent_type=agent_type, binary='stratus-network-agent',
            topic='dhcp_agent', host=host, availability_zone=zone,
            configurations={'networks': 1}, start_flag=start_flag)
        return agent.id


def test_report_creates_then_updates_one_row(env):
    first = _report(env, start_flag=True)
    with env.db.writer() as session:
        agent = session.get(m.Agent, first)
        started = agent.started_at
        agent.heartbeat_timestamp -= datetime.timedelta(seconds=30)
    assert _report(env) == first
    with env.db.reader() as session:
        agent = session.get(m.Agent, first)
        assert agent.started_at == started
        assert (agent.heartbeat_timestamp - started).total_seconds() >= 0
        assert session.execute(sa.select(sa.func.count()).select_from(m.Agent)).scalar() == 1
    _report(env, start_flag=True)
    with env.db.reader() as session:
        assert session.get(m.Agent, first).started_at > started


def test_agents_api_is_admin_only_and_computes_alive(env, api):
    agent_id = _report(env)
    assert api.get('/v2.0/agents').status_code == 403
    (agent,) = api.get('/v2.0/agents', as_='cloud_admin').get_json()['agents']
    assert agent['alive'] is True and agent['host'] == 'host-1'
    assert agent['configurations'] == {'networks': 1}
    with env.db.writer() as session:
        session.get(m.Agent, agent_id).heartbeat_timestamp -= datetime.timedelta(seconds=76)
    shown = api.get(f'/v2.0/agents/{agent_id}', as_='cloud_admin').get_json()['agent']
    assert shown['alive'] is False
    assert api.get('/v2.0/agents?alive=true', as_='cloud_admin').get_json()['agents'] == []


def test_update_and_delete(env, api):
    agent_id = _report(env)
    response = api.put(f'/v2.0/agents/{agent_id}', as_='cloud_admin', json={'agent': {
        'admin_state_up': False, 'description': 'maintenance'}})
    assert response.status_code == 200
    assert response.get_json()['agent']['admin_state_up'] is False
    assert api.put(f'/v2.0/agents/{agent_id}', json={'agent': {'description': 'x'}})\
        .status_code == 403
    assert api.put(f'/v2.0/agents/{agent_id}', as_='cloud_admin',
                   json={'agent': {'host': 'x'}}).status_code == 400
    assert api.delete(f'/v2.0/agents/{agent_id}', as_='cloud_admin').status_code == 204
    assert api.get(f'/v2.0/agents/{agent_id}', as_='cloud_admin').status_code == 404


def test_filters(env, api):
    _report(env, host='a')
    _report(env, host='b', agent_type='L3 agent')
    found = api.get('/v2.0/agents?agent_type=L3%20agent', as_='cloud_admin')\
        .get_json()['agents']
    assert [a['host'] for a in found] == ['b']


def test_availability_zones_come_from_agents(env, api):
    _report(env, host='a', zone='az1')
    _report(env, host='b', agent_type='L3 agent', zone='az1')
    zones = api.get('/v2.0/availability_zones').get_json()['availability_zones']
    assert zones == [{'name': 'az1', 'resource': 'network', 'state': 'available'},
                     {'name': 'az1', 'resource': 'router', 'state': 'available'}]
    only = api.get('/v2.0/availability_zones?resource=router').get_json()
    assert len(only['availability_zones']) == 1
