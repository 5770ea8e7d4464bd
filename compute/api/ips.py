"""``/v2.1/servers/{id}/ips``: a server's addresses, by network."""
import flask

from common import exceptions
from compute.api import support
from compute.api.views import servers as views

bp = flask.Blueprint('ips', __name__, url_prefix='/v2.1/servers/<server_id>/ips')


@bp.get('')
def index(server_id):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'ips:index')
        return flask.jsonify(addresses=views.basic_addresses(instance))


@bp.get('/<network_label>')
def show(server_id, network_label):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'ips:show')
        addresses = views.basic_addresses(instance)
    if network_label not in addresses:
        raise exceptions.NotFound('Instance is not a member of specified network')
    return flask.jsonify({network_label: addresses[network_label]})
