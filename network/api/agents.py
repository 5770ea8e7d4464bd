"""``/v2.0/agents``: list, show, update (admin state, description), delete."""
import flask
import sqlalchemy as sa

from network import agents
from network import exceptions as net_exc
from network.api import query
from network.api import support
from network.api.support import enveloped
from network.db import models as m

bp = flask.Blueprint('agents', __name__, url_prefix='/v2.0/agents')

A = m.Agent
COLLECTION = query.Collection('agents', A, {
    'id': A.id, 'agent_type': A.agent_type, 'binary': A.binary, 'topic': A.topic,
    'host': A.host, 'availability_zone': A.availability_zone,
    'admin_state_up': A.admin_state_up, 'description': A.description,
    'created_at': A.created_at, 'started_at': A.started_at,
    'heartbeat_timestamp': A.heartbeat_timestamp,
})
UPDATE = enveloped('agent', {'admin_state_up': {'type': 'boolean'},
                             'description': {'type': ['string', 'null'], 'maxLength': 255}})


def _time(value):
    return value.strftime('%Y-%m-%d %H:%M:%S') if value is not None else None


def render(agent):
    return {
        'id': agent.id, 'agent_type': agent.agent_type, 'binary': agent.binary,
        'topic': agent.topic, 'host': agent.host,
        'availability_zone': agent.availability_zone,
        'admin_state_up': agent.admin_state_up,
        'alive': agents.is_alive(agent, flask.current_app.conf.agent_down_time),
        'configurations': dict(agent.configurations or {}),
        'resource_versions': dict(agent.resource_versions or {}),
        'description': agent.description,
        'created_at': _time(agent.created_at), 'started_at': _time(agent.started_at),
        'heartbeat_timestamp': _time(agent.heartbeat_timestamp),
        'resources_synced': None,
    }


def _get(session, agent_id):
    agent = session.get(A, agent_id)
    if agent is None:
        raise net_exc.AgentNotFound(id=agent_id)
    return agent


@bp.get('')
def list_agents():
    support.authorize('get_agent')
    request = support.list_request(COLLECTION)
    with support.backend().db.reader() as session:
        rows, more = query.fetch(session, sa.select(A), COLLECTION, request)
        items = [render(a) for a in rows]
    alive = flask.request.args.get('alive')
    if alive is not None:
        wanted = alive.strip().lower() in ('1', 'true', 't', 'yes', 'on')
        items = [i for i in items if i['alive'] == wanted]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.get('/<agent_id>')
def get_agent(agent_id):
    support.authorize('get_agent')
    with support.backend().db.reader() as session:
        body = render(_get(session, agent_id))
    return support.show('agent', body)


@bp.put('/<agent_id>')
def update_agent(agent_id):
    attrs = support.body('agent', UPDATE)
    support.authorize('update_agent')
    with support.backend().db.writer() as session:
        agent = _get(session, agent_id)
        for key, value in attrs.items():
            setattr(agent, key, value)
        session.flush()
        body = render(agent)
    return support.show('agent', body)


@bp.delete('/<agent_id>')
def delete_agent(agent_id):
    support.authorize('delete_agent')
    with support.backend().db.writer() as session:
        session.delete(_get(session, agent_id))
    return support.no_content()
