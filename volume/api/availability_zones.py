"""``/v3/{project_id}/os-availability-zone``: the zones of the volume backends."""
import flask

from volume import zones
from volume.api import support

bp = flask.Blueprint('availability_zones', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-availability-zone')


@bp.get('')
def index():
    support.authorize('availability_zones:list')
    with support.db().reader() as session:
        found = zones.zones(session, support.conf())
    return flask.jsonify(availabilityZoneInfo=[
        {'zoneName': name, 'zoneState': {'available': available}} for name, available in found])
