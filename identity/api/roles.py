"""``/v3/roles``, role implications and ``/v3/role_inferences``."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import roles as schemas
from identity.api.views import roles as views

bp = flask.Blueprint('roles', __name__, url_prefix='/v3')


def _authorize_read(action):
    # Roles are global: a domain reader may read them for their own domain.
    support.authorize(action, domain_id=support.context().domain_id)


@bp.get('/roles')
def list_roles():
    _authorize_read('list_roles')
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.assignment.list_roles(session, name=support.arg('name'),
                                              limit=limit, marker=marker)
    return flask.jsonify(support.collection('roles', found, views.render, limit))


@bp.post('/roles')
def create_role():
    attrs = validation.json_body(schemas.create)['role']
    support.authorize('create_role')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        role = backend.assignment.create_role(session, attrs)
    return flask.jsonify(role=views.render(role)), 201


@bp.get('/roles/<role_id>')
def get_role(role_id):
    _authorize_read('get_role')
    backend = support.backend()
    with backend.reader() as session:
        role = backend.assignment.get_role(session, role_id)
    return flask.jsonify(role=views.render(role))


@bp.patch('/roles/<role_id>')
def update_role(role_id):
    attrs = validation.json_body(schemas.update)['role']
    support.authorize('update_role')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        role = backend.assignment.update_role(session, role_id, attrs)
    return flask.jsonify(role=views.render(role))


@bp.delete('/roles/<role_id>')
def delete_role(role_id):
    support.authorize('delete_role')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.delete_role(session, role_id)
    return support.no_content()


@bp.get('/roles/<prior_role_id>/implies')
def list_implied_roles(prior_role_id):
    support.authorize('list_implied_roles')
    backend = support.backend()
    with backend.reader() as session:
        prior = backend.assignment.get_role(session, prior_role_id)
        implied = backend.assignment.implied_roles_of(session, prior_role_id)
    return flask.jsonify(role_inference=views.implication(prior, implied),
                         links={'self': f'{support.base_url()}{flask.request.path}'})


@bp.put('/roles/<prior_role_id>/implies/<implied_role_id>')
def create_implied_role(prior_role_id, implied_role_id):
    support.authorize('create_implied_role')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.create_implied_role(session, prior_role_id, implied_role_id)
        prior = backend.assignment.get_role(session, prior_role_id)
        implied = backend.assignment.get_role(session, implied_role_id)
    return flask.jsonify(role_inference={'prior_role': views.brief(prior),
                                         'implies': views.brief(implied)}), 201


@bp.route('/roles/<prior_role_id>/implies/<implied_role_id>', methods=['GET', 'HEAD'])
def get_implied_role(prior_role_id, implied_role_id):
    support.authorize('list_implied_roles')
    backend = support.backend()
    with backend.reader() as session:
        backend.assignment.get_implied_role(session, prior_role_id, implied_role_id)
        prior = backend.assignment.get_role(session, prior_role_id)
        implied = backend.assignment.get_role(session, implied_role_id)
    if flask.request.method == 'HEAD':
        return support.no_content()
    return flask.jsonify(role_inference={'prior_role': views.brief(prior),
                                         'implies': views.brief(implied)})


@bp.delete('/roles/<prior_role_id>/implies/<implied_role_id>')
def delete_implied_role(prior_role_id, implied_role_id):
    support.authorize('delete_implied_role')
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.assignment.delete_implied_role(session, prior_role_id, implied_role_id)
    return support.no_content()


@bp.get('/role_inferences')
def list_role_inferences():
    support.authorize('list_role_inference_rules')
    backend = support.backend()
    with backend.reader() as session:
        rules = []
        for prior_id, implied_ids in sorted(backend.assignment.implications(session).items()):
            prior = backend.assignment.get_role(session, prior_id)
            implied = [backend.assignment.get_role(session, i) for i in sorted(implied_ids)]
            rules.append(views.implication(prior, implied))
    return flask.jsonify(role_inferences=rules,
                         links={'self': f'{support.base_url()}/v3/role_inferences'})
