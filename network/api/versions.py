"""Version discovery ``GET /`` and the resource list ``GET /v2.0/``."""
import flask

from common.wsgi import app as wsgi_app
from common.wsgi.app import public

bp = flask.Blueprint('versions', __name__)

# (resource, collection, path under /v2.0)
RESOURCES = (
    ('network', 'networks', 'networks'),
    ('subnet', 'subnets', 'subnets'),
    ('port', 'ports', 'ports'),
    ('router', 'routers', 'routers'),
    ('floatingip', 'floatingips', 'floatingips'),
    ('security_group', 'security_groups', 'security-groups'),
    ('security_group_rule', 'security_group_rules', 'security-group-rules'),
    ('quota', 'quotas', 'quotas'),
    ('agent', 'agents', 'agents'),
    ('availability_zone', 'availability_zones', 'availability_zones'),
    ('network_ip_availability', 'network_ip_availabilities', 'network-ip-availabilities'),
    ('extension', 'extensions', 'extensions'),
)


def _base():
    return (flask.current_app.conf.api.public_url or flask.request.host_url).rstrip('/')


@bp.get('/')
@public
def root():
    return flask.jsonify(versions=[{
        'id': 'v2.0', 'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': f'{_base()}/v2.0/'}]}])


@bp.get('/v2.0/')
@bp.get('/v2.0')
def resources():
    # Any authenticated caller may read the index: there is nothing to protect.
    wsgi_app.mark_policy_checked()
    collections = [{'name': name, 'collection': collection,
                    'links': [{'rel': 'self', 'href': f'{_base()}/v2.0/{path}'}]}
                   for name, collection, path in RESOURCES]
    return flask.jsonify(resources=collections)
