"""The network conductor on ``fake://`` RPC and SQLite: agents' reports land in ``agents``."""
import datetime
import logging
import uuid

import pytest
import sqlalchemy as sa

from common import exceptions
from common import rpc
from common.context import RequestContext
from common.db.session import Database
from common.db.types import utcnow
from network import conf as network_conf
from network import rpcapi
from network.conductor import agent_reports
from network.conductor.manager import ConductorService
from network.db import models as m
from tests.unit import make_conf

DHCP = {'agent_type': 'DHCP agent', 'binary': 'stratus-network-agent',
        'topic': 'network.agent.dhcp', 'host': 'host-1', 'availability_zone': 'nova',
        'configurations': {'networks': 0}, 'start_flag': True}


@pytest.fixture
def conductor(tmp_path):
    conf = make_conf(tmp_path, register=network_conf.register_opts, host='conductor-1',
                     control_exchange=f'test-{uuid.uuid4().hex}', agent_down_time=10)
    db = Database(f'sqlite:///{tmp_path}/network.sqlite')
    m.Base.metadata.create_all(db.engine)
    transport = rpc.get_transport(conf)
    service = ConductorService(conf, db, transport=transport)
    service.start()
    try:
        yield db, rpcapi.ConductorAPI(conf, transport=transport)
    finally:
        service.stop(timeout=5)
        db.dispose()


def _agents(db):
    with db.reader() as session:
        return list(session.execute(sa.select(m.Agent).order_by(m.Agent.agent_type)).scalars())


def _ctx():
    return RequestContext.admin()


def test_first_report_creates_the_agent_and_later_ones_update_it(conductor):
    db, api = conductor
    assert api.report_state(_ctx(), DHCP, use_call=True) == rpcapi.AGENT_NEW
    [agent] = _agents(db)
    assert (agent.agent_type, agent.binary, agent.topic, agent.host, agent.availability_zone,
            agent.configurations) == ('DHCP agent', 'stratus-network-agent',
                                      'network.agent.dhcp', 'host-1', 'nova', {'networks': 0})
    assert agent.admin_state_up is True
    first_heartbeat, started = agent.heartbeat_timestamp, agent.started_at

    later = dict(DHCP, configurations={'networks': 3}, start_flag=False)
    assert api.report_state(_ctx(), later, use_call=True) == rpcapi.AGENT_ALIVE
    [agent] = _agents(db)
    assert agent.configurations == {'networks': 3}
    assert agent.heartbeat_timestamp > first_heartbeat
    assert agent.started_at == started  # not restarted


def test_start_flag_resets_started_at(conductor):
    db, api = conductor
    api.report_state(_ctx(), DHCP, use_call=True)
    [before] = _agents(db)
    api.report_state(_ctx(), DHCP, use_call=True)
    [after] = _agents(db)
    assert after.started_at > before.started_at


def test_agents_of_other_types_or_hosts_are_separate_rows(conductor):
    db, api = conductor
    api.report_state(_ctx(), DHCP, use_call=True)
    api.report_state(_ctx(), dict(DHCP, host='host-2'), use_call=True)
    api.report_state(_ctx(), dict(DHCP, agent_type='Linux bridge agent',
                                  configurations={'bridge_mappings': {}}), use_call=True)
    assert sorted((a.agent_type, a.host) for a in _agents(db)) == [
        ('DHCP agent', 'host-1'), ('DHCP agent', 'host-2'), ('Linux bridge agent', 'host-1')]


def test_a_cast_report_is_written_too(conductor):
    db, api = conductor
    assert api.report_state(_ctx(), DHCP) is None
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=10)
    while not _agents(db):
        assert datetime.datetime.now() < deadline, 'the cast report was never written'
    assert _agents(db)[0].host == 'host-1'


def test_an_agent_silent_longer_than_agent_down_time_is_revived(conductor):
    db, api = conductor
    api.report_state(_ctx(), DHCP, use_call=True)
    with db.writer() as session:
        session.execute(sa.update(m.Agent).values(
            heartbeat_timestamp=utcnow() - datetime.timedelta(seconds=11)))
    assert api.report_state(_ctx(), dict(DHCP, start_flag=False),
                            use_call=True) == rpcapi.AGENT_REVIVED
    assert api.report_state(_ctx(), dict(DHCP, start_flag=False),
                            use_call=True) == rpcapi.AGENT_ALIVE


@pytest.mark.parametrize('bad', [
    {k: v for k, v in DHCP.items() if k != 'host'},
    dict(DHCP, agent_type=''),
    dict(DHCP, configurations='many'),
    dict(DHCP, start_flag='yes'),
])
def test_a_malformed_report_is_refused_and_writes_nothing(conductor, bad):
    db, api = conductor
    with pytest.raises(exceptions.BadRequest, match='Invalid agent state'):
        api.report_state(_ctx(), bad, use_call=True)
    assert _agents(db) == []


def test_a_skewed_agent_clock_is_logged(tmp_path, caplog):
    conf = make_conf(tmp_path, register=network_conf.register_opts, agent_down_time=10)
    db = Database(f'sqlite:///{tmp_path}/network.sqlite')
    m.Base.metadata.create_all(db.engine)
    five_minutes_ago = (datetime.datetime.now(datetime.timezone.utc)
                        - datetime.timedelta(minutes=5)).isoformat()
    with caplog.at_level(logging.WARNING, logger='network.conductor.agent_reports'):
        agent_reports.report_state(db, conf, DHCP, datetime.datetime.now(
            datetime.timezone.utc).isoformat())
        assert caplog.records == []
        agent_reports.report_state(db, conf, DHCP, five_minutes_ago)
    assert any("keep the hosts' clocks in sync" in r.getMessage() for r in caplog.records)
    assert len(_agents(db)) == 1  # recorded all the same
    db.dispose()
