"""Version discovery: ``GET /`` and ``GET /versions`` (Glance answers 300)."""
import flask

from common.wsgi.app import public

bp = flask.Blueprint('versions', __name__)

CURRENT = 16
UPDATED = '2024-10-01T00:00:00Z'


def _versions():
    base = (flask.current_app.conf.api.public_url or flask.request.host_url).rstrip('/')
    entries = []
    for minor in range(CURRENT, -1, -1):
        entries.append({'id': f'v2.{minor}', 'status': 'CURRENT' if minor == CURRENT
                        else 'SUPPORTED', 'updated': UPDATED,
                        'links': [{'rel': 'self', 'href': f'{base}/v2/'}]})
    return entries


@bp.get('/')
@public
def root():
    return flask.jsonify(versions=_versions()), 300


@bp.get('/versions')
@public
def versions():
    return flask.jsonify(versions=_versions())
