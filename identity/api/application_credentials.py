"""``/v3/users/{user_id}/application_credentials``."""
import flask

from common.wsgi import validation
from identity import exceptions
from identity.api import support
from identity.api.schemas import application_credentials as schemas
from identity.api.views import application_credentials as views

bp = flask.Blueprint('application_credentials', __name__,
                     url_prefix='/v3/users/<user_id>/application_credentials')


def _refuse_restricted():
    """A restricted credential's token cannot manage credentials (no self-escalation)."""
    credential = getattr(support.context(), 'application_credential', None)
    if credential is not None and not credential.unrestricted:
        raise exceptions.RestrictedApplicationCredential()


@bp.get('')
def list_credentials(user_id):
    support.authorize('list_application_credentials', user_id=user_id)
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.app_credentials.list(session, user_id, name=support.arg('name'),
                                             limit=limit, marker=marker)
        roles = {c.id: backend.app_credentials.roles_of(session, c.id) for c in found}
    return flask.jsonify(support.collection('application_credentials', found,
                                            lambda c: views.render(c, roles[c.id]), limit))


@bp.post('')
def create_credential(user_id):
    attrs = validation.json_body(schemas.create)['application_credential']
    support.authorize('create_application_credential', user_id=user_id)
    _refuse_restricted()
    ctx = support.context()
    backend = support.backend()
    with backend.writer(ctx) as session:
        held = backend.assignment.effective_roles(session, user_id, 'project', ctx.project_id) \
            if ctx.project_id else []
        held = [r for r in held if r.name in ctx.roles]
        credential, secret = backend.app_credentials.create(session, user_id, ctx.project_id,
                                                            attrs, held)
        roles = backend.app_credentials.roles_of(session, credential.id)
    return flask.jsonify(application_credential=views.render(credential, roles, secret)), 201


@bp.get('/<credential_id>')
def get_credential(user_id, credential_id):
    support.authorize('get_application_credential', user_id=user_id)
    backend = support.backend()
    with backend.reader() as session:
        credential = backend.app_credentials.get(session, user_id, credential_id)
        roles = backend.app_credentials.roles_of(session, credential.id)
    return flask.jsonify(application_credential=views.render(credential, roles))


@bp.delete('/<credential_id>')
def delete_credential(user_id, credential_id):
    support.authorize('delete_application_credential', user_id=user_id)
    _refuse_restricted()
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.app_credentials.delete(session, user_id, credential_id)
    return support.no_content()
