"""``/v3/auth``: tokens (issue, validate, revoke) and what a token may reach."""
import flask

from common import exceptions as common_exc
from common.wsgi import validation
from common.wsgi.app import public
from identity.api import support
from identity.api.schemas import auth as schemas
from identity.api.views import domains as domain_views
from identity.api.views import projects as project_views
from identity.api.views import tokens as token_views
from identity.db import models as m

bp = flask.Blueprint('auth', __name__, url_prefix='/v3/auth')


def _token_response(validated, status, include_catalog):
    backend = support.backend()
    catalog = None
    if include_catalog and validated.payload.scoped:
        with backend.reader() as session:
            catalog = backend.catalog.catalog(session, validated.payload.project_id)
    response = flask.jsonify(token_views.render(validated, catalog))
    response.status_code = status
    response.headers['X-Subject-Token'] = validated.token_id
    return response


@bp.post('/tokens')
@public
def issue_token():
    body = validation.json_body(schemas.create_token)['auth']
    backend = support.backend()
    with backend.reader() as session:
        result = backend.authenticator.authenticate(session, body['identity'])
        validated = backend.tokens.issue(session, result, body.get('scope'))
    return _token_response(validated, 201, not validation.query_flag('nocatalog'))


def _subject_token(allow_expired=False):
    """The token named by ``X-Subject-Token``, validated (404 when it is not valid)."""
    token_id = flask.request.headers.get('X-Subject-Token')
    if not token_id:
        raise common_exc.BadRequest('The X-Subject-Token header is required.')
    backend = support.backend()
    with backend.reader() as session:
        return backend.tokens.validate(session, token_id, allow_expired=allow_expired)


@bp.get('/tokens')
def validate_token():
    validated = _subject_token(validation.query_bool('allow_expired', default=False))
    support.authorize('validate_token', token={'user_id': validated.payload.user_id})
    return _token_response(validated, 200, not validation.query_flag('nocatalog'))


@bp.route('/tokens', methods=['HEAD'])
def check_token():
    validated = _subject_token(validation.query_bool('allow_expired', default=False))
    support.authorize('validate_token', token={'user_id': validated.payload.user_id})
    return flask.Response(status=200)


@bp.delete('/tokens')
def revoke_token():
    validated = _subject_token()
    support.authorize('revoke_token', token={'user_id': validated.payload.user_id})
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.tokens.revoke(session, validated)
    return support.no_content()


@bp.get('/catalog')
def catalog():
    support.authorize('get_auth_catalog')
    ctx = support.context()
    if not (ctx.project_id or ctx.domain_id or ctx.system_scope):
        raise common_exc.Forbidden('An unscoped token has no catalog.')
    backend = support.backend()
    with backend.reader() as session:
        entries = backend.catalog.catalog(session, ctx.project_id)
    return flask.jsonify(catalog=entries, links={'self': f'{support.base_url()}/v3/auth/catalog',
                                                 'previous': None, 'next': None})


@bp.get('/projects')
def projects():
    support.authorize('get_auth_projects')
    backend = support.backend()
    ctx = support.context()
    with backend.reader() as session:
        ids = backend.assignment.project_ids_of_user(session, ctx.user_id)
        found = [p for p in backend.resource.list_projects(session, project_ids=ids)
                 if p.enabled and session.get(m.Domain, p.domain_id).enabled]
    return flask.jsonify(support.collection('projects', found, project_views.render))


@bp.get('/domains')
def domains():
    support.authorize('get_auth_domains')
    backend = support.backend()
    ctx = support.context()
    with backend.reader() as session:
        ids = backend.assignment.domain_ids_of_user(session, ctx.user_id)
        found = [d for d in backend.resource.list_domains(session) if d.id in ids and d.enabled]
    return flask.jsonify(support.collection('domains', found, domain_views.render))


@bp.get('/system')
def system():
    support.authorize('get_auth_system')
    backend = support.backend()
    ctx = support.context()
    with backend.reader() as session:
        has_roles = bool(backend.assignment.effective_role_ids(session, ctx.user_id, 'system',
                                                               m.SYSTEM_TARGET))
    return flask.jsonify(system=[{'all': True}] if has_roles else [],
                         links={'self': f'{support.base_url()}/v3/auth/system',
                                'previous': None, 'next': None})
