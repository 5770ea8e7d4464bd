"""Version discovery: ``GET /`` and ``GET /v2.1`` (Nova's documents)."""
import flask

from common.wsgi.app import public
from compute.api import microversion
from compute.api.support import base_url

bp = flask.Blueprint('versions', __name__)

UPDATED = '2013-07-23T11:33:21Z'
MEDIA_TYPE = 'application/vnd.openstack.compute+json;version=2.1'


def _v21():
    return {'id': 'v2.1', 'status': 'CURRENT', 'updated': UPDATED,
            'version': microversion.as_string(microversion.MAX_VERSION),
            'min_version': microversion.as_string(microversion.MIN_VERSION),
            'links': [{'rel': 'self', 'href': f'{base_url()}/v2.1/'}]}


@bp.get('/')
@public
def root():
    return flask.jsonify(versions=[_v21()])


@bp.get('/v2.1')
@public
def v21():
    version = _v21()
    version['links'].append({'rel': 'describedby', 'type': 'text/html',
                             'href': 'https://docs.openstack.org/'})
    version['media-types'] = [{'base': 'application/json', 'type': MEDIA_TYPE}]
    return flask.jsonify(version=version)
