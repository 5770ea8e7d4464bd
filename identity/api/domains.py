"""``/v3/domains``."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import domains as schemas
from identity.api.views import domains as views

bp = flask.Blueprint('domains', __name__, url_prefix='/v3/domains')


@bp.get('')
def list_domains():
    support.authorize('list_domains')
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.resource.list_domains(
            session, name=support.arg('name'), enabled=validation.query_bool('enabled'),
            limit=limit, marker=marker)
    return flask.jsonify(support.collection('domains', found, views.render, limit))


@bp.post('')
def create_domain():
    attrs = validation.json_body(schemas.create)['domain']
    support.authorize('create_domain')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        domain = backend.resource.create_domain(session, attrs)
    return flask.jsonify(domain=views.render(domain)), 201


@bp.get('/<domain_id>')
def get_domain(domain_id):
    backend = support.backend()
    with backend.reader() as session:
        domain = backend.resource.get_domain(session, domain_id)
    support.authorize('get_domain', domain_id=domain.id)
    return flask.jsonify(domain=views.render(domain))


@bp.patch('/<domain_id>')
def update_domain(domain_id):
    attrs = validation.json_body(schemas.update)['domain']
    support.authorize('update_domain', domain_id=domain_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        domain = backend.resource.update_domain(session, domain_id, attrs)
    return flask.jsonify(domain=views.render(domain))


@bp.delete('/<domain_id>')
def delete_domain(domain_id):
    support.authorize('delete_domain', domain_id=domain_id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.resource.delete_domain(session, domain_id)
    return support.no_content()
