"""The identity API (Keystone v3): app factory.

Identity validates the tokens presented to it itself (it is the authority),
rather than through keystonemiddleware as the other services do.
"""
import flask

from common import exceptions
from common.context import RequestContext
from common.policy import Enforcer
from common.rpc import Notifier
from common.wsgi.app import create_base_app
from identity import exceptions as identity_exc
from identity import policies
from identity.api import (application_credentials, auth, domains, grants, groups, projects,
                          regions, role_assignments, roles, services, users, versions)
from identity.backend import Backend

BLUEPRINTS = (versions.bp, auth.bp, domains.bp, projects.bp, users.bp, groups.bp, roles.bp,
              grants.bp, role_assignments.bp, regions.bp, services.bp,
              application_credentials.bp)


def _authenticate(request):
    """Build the caller's context from ``X-Auth-Token`` (and ``X-Service-Token``)."""
    token_id = request.headers.get('X-Auth-Token')
    if not token_id:
        raise exceptions.Unauthorized()
    backend = flask.current_app.backend
    with backend.reader() as session:
        try:
            token = backend.tokens.validate(session, token_id)
        except identity_exc.TokenNotFound:
            raise identity_exc.InvalidToken() from None
        service_token = None
        if request.headers.get('X-Service-Token'):
            try:
                service_token = backend.tokens.validate(session,
                                                        request.headers['X-Service-Token'])
            except identity_exc.TokenNotFound:
                raise identity_exc.InvalidToken() from None
    return context_from_token(token, service_token)


def context_from_token(token, service_token=None):
    payload = token.payload
    ctx = RequestContext(
        auth_token=token.token_id, user_id=payload.user_id, user_name=token.user.name,
        user_domain_id=token.user.domain_id, user_domain_name=token.user_domain.name,
        project_id=payload.project_id,
        project_name=token.project.name if token.project else None,
        project_domain_id=token.project.domain_id if token.project else None,
        domain_id=payload.domain_id, domain_name=token.domain.name if token.domain else None,
        system_scope='all' if payload.system else None, roles=token.role_names,
        is_admin_project=token.is_admin_project, overwrite=False)
    ctx.audit_id = payload.audit_id
    ctx.application_credential = token.application_credential
    if service_token is not None:
        ctx.service_user_id = service_token.payload.user_id
        ctx.service_roles = service_token.role_names
    return ctx


def _www_authenticate(response):
    if response.status_code == 401:
        base = flask.current_app.conf.api.public_url or flask.request.host_url
        response.headers['WWW-Authenticate'] = f'Keystone uri="{base.rstrip("/")}"'
    return response


def _health(backend):
    """Healthy means tokens can be issued: the database answers and the keys load."""
    backend.db.ping()
    backend.tokens.check_keys()


def create_app(conf, backend=None, notifier=None):
    """The identity WSGI app; tests pass their own ``backend``."""
    if backend is None:
        backend = Backend(conf, notifier=notifier or Notifier(conf, 'identity'))
    app = create_base_app(__name__, service='identity', conf=conf, fault_style='keystone',
                          authenticate=_authenticate, health_check=lambda: _health(backend))
    app.backend = backend
    app.enforcer = Enforcer(conf, policies.list_rules())
    app.after_request(_www_authenticate)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
