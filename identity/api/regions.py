"""``/v3/regions``."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import catalog as schemas
from identity.api.views import catalog as views

bp = flask.Blueprint('regions', __name__, url_prefix='/v3/regions')


@bp.get('')
def list_regions():
    support.authorize('list_regions')
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.catalog.list_regions(
            session, parent_region_id=support.arg('parent_region_id'), limit=limit,
            marker=marker)
    return flask.jsonify(support.collection('regions', found, views.render_region, limit))


@bp.post('')
def create_region():
    attrs = validation.json_body(schemas.create_region)['region']
    support.authorize('create_region')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        region = backend.catalog.create_region(session, attrs)
    return flask.jsonify(region=views.render_region(region)), 201


@bp.put('/<region_id>')
def create_region_with_id(region_id):
    attrs = validation.json_body(schemas.create_region)['region']
    support.authorize('create_region')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        region = backend.catalog.create_region(session, attrs, region_id=region_id)
    return flask.jsonify(region=views.render_region(region)), 201


@bp.get('/<region_id>')
def get_region(region_id):
    support.authorize('get_region')
    backend = support.backend()
    with backend.reader() as session:
        region = backend.catalog.get_region(session, region_id)
    return flask.jsonify(region=views.render_region(region))


@bp.patch('/<region_id>')
def update_region(region_id):
    attrs = validation.json_body(schemas.update_region)['region']
    support.authorize('update_region')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        region = backend.catalog.update_region(session, region_id, attrs)
    return flask.jsonify(region=views.render_region(region))


@bp.delete('/<region_id>')
def delete_region(region_id):
    support.authorize('delete_region')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.catalog.delete_region(session, region_id)
    return support.no_content()
