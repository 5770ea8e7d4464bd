"""``/v3/services`` and ``/v3/endpoints``."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import catalog as schemas
from identity.api.views import catalog as views

bp = flask.Blueprint('services', __name__, url_prefix='/v3')


@bp.get('/services')
def list_services():
    support.authorize('list_services')
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.catalog.list_services(session, service_type=support.arg('type'),
                                              name=support.arg('name'), limit=limit,
                                              marker=marker)
    return flask.jsonify(support.collection('services', found, views.render_service, limit))


@bp.post('/services')
def create_service():
    attrs = validation.json_body(schemas.create_service)['service']
    support.authorize('create_service')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        service = backend.catalog.create_service(session, attrs)
    return flask.jsonify(service=views.render_service(service)), 201


@bp.get('/services/<service_id>')
def get_service(service_id):
    support.authorize('get_service')
    backend = support.backend()
    with backend.reader() as session:
        service = backend.catalog.get_service(session, service_id)
    return flask.jsonify(service=views.render_service(service))


@bp.patch('/services/<service_id>')
def update_service(service_id):
    attrs = validation.json_body(schemas.update_service)['service']
    support.authorize('update_service')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        service = backend.catalog.update_service(session, service_id, attrs)
    return flask.jsonify(service=views.render_service(service))


@bp.delete('/services/<service_id>')
def delete_service(service_id):
    support.authorize('delete_service')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.catalog.delete_service(session, service_id)
    return support.no_content()


@bp.get('/endpoints')
def list_endpoints():
    support.authorize('list_endpoints')
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.catalog.list_endpoints(
            session, service_id=support.arg('service_id'), interface=support.arg('interface'),
            region_id=support.arg('region_id'), limit=limit, marker=marker)
    return flask.jsonify(support.collection('endpoints', found, views.render_endpoint, limit))


@bp.post('/endpoints')
def create_endpoint():
    attrs = validation.json_body(schemas.create_endpoint)['endpoint']
    support.authorize('create_endpoint')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        endpoint = backend.catalog.create_endpoint(session, attrs)
    return flask.jsonify(endpoint=views.render_endpoint(endpoint)), 201


@bp.get('/endpoints/<endpoint_id>')
def get_endpoint(endpoint_id):
    support.authorize('get_endpoint')
    backend = support.backend()
    with backend.reader() as session:
        endpoint = backend.catalog.get_endpoint(session, endpoint_id)
    return flask.jsonify(endpoint=views.render_endpoint(endpoint))


@bp.patch('/endpoints/<endpoint_id>')
def update_endpoint(endpoint_id):
    attrs = validation.json_body(schemas.update_endpoint)['endpoint']
    support.authorize('update_endpoint')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        endpoint = backend.catalog.update_endpoint(session, endpoint_id, attrs)
    return flask.jsonify(endpoint=views.render_endpoint(endpoint))


@bp.delete('/endpoints/<endpoint_id>')
def delete_endpoint(endpoint_id):
    support.authorize('delete_endpoint')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.catalog.delete_endpoint(session, endpoint_id)
    return support.no_content()
