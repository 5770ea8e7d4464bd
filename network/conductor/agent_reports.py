"""The agents' ``report_state``: the conductor writes what they report.

Agents have no database; every ``report_interval`` they send their state
(``network.rpcapi.AgentState``) and the conductor records it in the
``agents`` table, which ``GET /v2.0/agents`` shows (``alive`` while the last
heartbeat is younger than ``agent_down_time``).  The answer tells the
agent whether it is new, alive, or back after being shown dead, in which
case it resynchronises everything it serves (as Neutron's agents do).
"""
import datetime
import logging

import jsonschema
import sqlalchemy as sa

from common import exceptions
from common.db.types import utcnow
from network import rpcapi
from network.db import api as db_api
from network.db import models as m

LOG = logging.getLogger(__name__)

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}
AGENT_STATE_SCHEMA = {
    'type': 'object',
    'properties': {
        'agent_type': _NAME, 'binary': _NAME, 'topic': _NAME, 'host': _NAME,
        'availability_zone': {'type': ['string', 'null'], 'maxLength': 255},
        'configurations': {'type': 'object'},
        'start_flag': {'type': 'boolean'},
    },
    'required': ['agent_type', 'binary', 'topic', 'host'],
}


def _check_clock(agent_state, sent_at, agent_down_time):
    """Warn when the agent's clock and ours disagree by half ``agent_down_time``
    or more: its heartbeats would then be judged wrongly (Neutron warns too)."""
    try:
        sent = datetime.datetime.fromisoformat(sent_at)
    except (TypeError, ValueError):
        LOG.warning('Report of agent %s on %s has no valid time: %r',
                    agent_state['agent_type'], agent_state['host'], sent_at)
        return
    if sent.tzinfo is not None:
        sent = sent.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    skew = abs((utcnow() - sent).total_seconds())
    if skew > agent_down_time / 2:
        LOG.warning('Agent %s on %s sent its report at %s, %.0f s away from this '
                    'conductor\'s clock; keep the hosts\' clocks in sync (NTP) or it may be '
                    'shown dead while alive', agent_state['agent_type'], agent_state['host'],
                    sent_at, skew)


def report_state(db, conf, agent_state, sent_at):
    """Record the agent alive now.

    :param agent_state: an ``AgentState``.
    :param sent_at: ISO 8601 time at which the agent sent the report.
    :returns: ``rpcapi.AGENT_NEW``, ``AGENT_ALIVE`` or ``AGENT_REVIVED``.
    :raises BadRequest: ``agent_state`` is not an ``AgentState``.
    """
    try:
        jsonschema.validate(agent_state, AGENT_STATE_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise exceptions.BadRequest(f'Invalid agent state: {exc.message}') from None
    _check_clock(agent_state, sent_at, conf.agent_down_time)
    agent_type, host = agent_state['agent_type'], agent_state['host']
    with db.writer() as session:
        last_heartbeat = session.execute(
            sa.select(m.Agent.heartbeat_timestamp).where(m.Agent.agent_type == agent_type,
                                                         m.Agent.host == host)
        ).scalar_one_or_none()
        db_api.report_agent_state(
            session, agent_type=agent_type, binary=agent_state['binary'],
            topic=agent_state['topic'], host=host,
            availability_zone=agent_state.get('availability_zone'),
            configurations=agent_state.get('configurations') or {},
            start_flag=bool(agent_state.get('start_flag')))
    if last_heartbeat is None:
        LOG.info('New network agent %s on host %s', agent_type, host)
        return rpcapi.AGENT_NEW
    silent = (utcnow() - last_heartbeat).total_seconds()
    if silent > conf.agent_down_time:
        LOG.info('Network agent %s on host %s is back after %.0f s', agent_type, host, silent)
        return rpcapi.AGENT_REVIVED
    return rpcapi.AGENT_ALIVE
