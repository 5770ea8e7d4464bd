"""Version discovery: ``GET /`` (300, all versions) and ``GET /v3``."""
import flask

from common.wsgi.app import public
from common.wsgi.versions import version_entry
from identity.api import support

bp = flask.Blueprint('versions', __name__)

VERSION = 'v3.14'
UPDATED = '2020-04-07T00:00:00Z'
MEDIA_TYPE = 'application/vnd.openstack.identity-v3+json'


def _v3():
    return version_entry(VERSION, f'{support.base_url()}/v3/', status='stable',
                         updated=UPDATED, media_type=MEDIA_TYPE)


@bp.get('/')
@public
def root():
    return flask.jsonify(versions={'values': [_v3()]}), 300


@bp.get('/v3')
@public
def v3():
    return flask.jsonify(version=_v3())
