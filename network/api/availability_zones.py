"""``/v2.0/availability_zones``: the zones the agents report, by resource."""
import flask
import sqlalchemy as sa

from network import agents
from network.api import support
from network.db import models as m

bp = flask.Blueprint('availability_zones', __name__, url_prefix='/v2.0/availability_zones')


@bp.get('')
def list_zones():
    support.authorize('get_availability_zone')
    with support.backend().db.reader() as session:
        rows = list(session.execute(sa.select(m.Agent)).scalars())
    zones = agents.zones(rows, flask.current_app.conf.agent_down_time)
    for key in ('name', 'resource', 'state'):
        wanted = flask.request.args.getlist(key)
        if wanted:
            zones = [z for z in zones if z[key] in wanted]
    return flask.jsonify(availability_zones=zones)
