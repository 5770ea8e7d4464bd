"""Version discovery: ``GET /`` (300) and ``GET /v3/`` (200), Cinder's documents.

Both are open without a token: Tempest fetches them without one.  The
SDK takes the self link and the microversion range from them.
"""
import flask

from common.wsgi import versions
from common.wsgi.app import public
from volume.api import microversion
from volume.api.support import base_url

bp = flask.Blueprint('versions', __name__)

UPDATED = '2026-11-24T00:00:00Z'
MEDIA_TYPE = 'application/vnd.openstack.volume+json;version=3'


def _v3():
    entry = versions.version_entry(
        'v3.0', f'{base_url()}/v3/', updated=UPDATED, media_type=MEDIA_TYPE,
        min_version=microversion.as_string(microversion.MIN_VERSION),
        max_version=microversion.as_string(microversion.MAX_VERSION))
    entry['links'].insert(0, {'rel': 'describedby', 'type': 'text/html',
                              'href': 'https://docs.openstack.org/'})
    return entry


@bp.get('/')
@public
def root():
    return flask.jsonify(versions=[_v3()]), 300


@bp.get('/v3')
@public
def v3():
    return flask.jsonify(versions=[_v3()])
