"""Issuing, validating and revoking tokens.

Validation re-checks everything the token depends on, every time: expiry,
revocation events, that the user, the project and their domains still
exist and are enabled, and which roles the user holds now.  It never
hashes a password, which is what makes it much cheaper than issuing.
"""
import datetime

import sqlalchemy as sa

from common import exceptions as common_exc
from common.db.types import utcnow
from identity import exceptions
from identity.assignment import expand_implied
from identity.db import api as db_api
from identity.db import models as m
from identity.token import formatter
from identity.token.model import TokenPayload, ValidatedToken


class TokenProvider:

    def __init__(self, conf, keyring, resource, assignment, app_credentials, revocations):
        self._conf = conf
        self._keyring = keyring
        self._resource = resource
        self._assignment = assignment
        self._app_credentials = app_credentials
        self._revocations = revocations
        self._admin_project_row = None

    def check_keys(self):
        """Raise when no token could be issued or validated (missing/unreadable keys)."""
        self._keyring.crypto()

    # -- issue -----------------------------------------------------------------

    def issue(self, session, auth, scope):
        """A new token for ``auth`` (an ``AuthResult``) in ``scope`` (the request's).

        :raises Unauthorized: when the user has no role in the requested scope.
        """
        payload = TokenPayload(
            user_id=auth.user.id, methods=auth.methods, issued_at=utcnow(),
            expires_at=None, audit_ids=[formatter.new_audit_id()],
            application_credential_id=(auth.application_credential.id
                                       if auth.application_credential else None))
        if auth.audit_chain_id:
            payload.audit_ids.append(auth.audit_chain_id)
        lifetime = datetime.timedelta(seconds=self._conf.token.expiration)
        caps = [payload.issued_at + lifetime] + ([auth.expires_at] if auth.expires_at else [])
        payload.expires_at = min(caps).replace(microsecond=0)
        self._set_scope(session, payload, auth, scope)
        token_id = formatter.pack(payload, self._keyring.crypto())
        validated = self._check(session, token_id, payload)
        if validated is None:
            raise exceptions.AuthenticationFailed()
        return validated

    def _set_scope(self, session, payload, auth, scope):
        if auth.application_credential is not None:
            project_id = auth.application_credential.project_id
            requested = (scope or {}).get('project') if isinstance(scope, dict) else None
            if scope not in (None, 'unscoped') and (requested is None or (
                    requested.get('id') not in (None, project_id))):
                raise common_exc.Forbidden('A token obtained with an application credential '
                                           'is scoped to its project only.')
            payload.project_id = project_id
            return
        if auth.parent_scoped and scope not in (None, 'unscoped') and \
                not self._conf.token.allow_rescope_scoped_token:
            raise common_exc.Forbidden('Rescoping a scoped token is disabled.')
        if scope == 'unscoped':
            return
        if scope is None:
            self._default_scope(session, payload, auth.user)
        elif 'project' in scope:
            payload.project_id = self._scope_project(session, scope['project']).id
        elif 'domain' in scope:
            ref = scope['domain']
            try:
                payload.domain_id = self._resource.find_domain(
                    session, domain_id=ref.get('id'), name=ref.get('name')).id
            except exceptions.DomainNotFound:
                raise exceptions.AuthenticationFailed() from None
        elif 'system' in scope:
            payload.system = True

    def _scope_project(self, session, ref):
        try:
            if ref.get('id'):
                return self._resource.get_project(session, ref['id'])
            domain_ref = ref.get('domain') or {}
            if not domain_ref:
                raise common_exc.ValidationError(field="'auth.scope.project.domain'",
                                                 detail='is required with a project name')
            domain = self._resource.find_domain(session, domain_id=domain_ref.get('id'),
                                                name=domain_ref.get('name'))
            return self._resource.find_project(session, name=ref.get('name'),
                                               domain_id=domain.id)
        except (exceptions.ProjectNotFound, exceptions.DomainNotFound):
            raise exceptions.AuthenticationFailed() from None

    def _default_scope(self, session, payload, user):
        """Keystone's default: the user's default project, if they have a role there."""
        if not user.default_project_id:
            return
        project = session.get(m.Project, user.default_project_id)
        if project is not None and project.enabled and self._assignment.effective_role_ids(
                session, user.id, 'project', project.id):
            payload.project_id = project.id

    # -- validate --------------------------------------------------------------

    def validate(self, session, token_id, allow_expired=False):
        """The ``ValidatedToken`` for ``token_id``.

        :raises TokenNotFound: when it is malformed, expired, revoked, or
            anything it depends on is gone or disabled.
        """
        try:
            payload = formatter.unpack(token_id, self._keyring.crypto())
        except formatter.MalformedToken:
            raise exceptions.TokenNotFound(token_id='(malformed)') from None
        now = utcnow()
        if payload.expires_at <= now:
            window = datetime.timedelta(seconds=self._conf.token.allow_expired_window)
            if not allow_expired or payload.expires_at + window <= now:
                raise exceptions.TokenNotFound(token_id='(expired)')
        validated = self._check(session, token_id, payload)
        if validated is None:
            raise exceptions.TokenNotFound(token_id=payload.audit_id)
        return validated

    def _check(self, session, token_id, payload):
        """The token's current standing, or ``None`` when it must not be honoured."""
        user = session.get(m.User, payload.user_id)
        if user is None or not user.enabled:
            return None
        user_domain = session.get(m.Domain, user.domain_id)
        if user_domain is None or not user_domain.enabled:
            return None
        validated = ValidatedToken(token_id=token_id, payload=payload, user=user,
                                   user_domain=user_domain)
        domain_ids = {user.domain_id}
        if payload.project_id:
            project = session.get(m.Project, payload.project_id)
            project_domain = project and session.get(m.Domain, project.domain_id)
            if project is None or not project.enabled or not project_domain.enabled:
                return None
            validated.project, validated.project_domain = project, project_domain
            validated.is_admin_project = project.id == self.admin_project_id(session)
            domain_ids.add(project.domain_id)
            role_ids = self._assignment.effective_role_ids(session, user.id, 'project', project.id)
        elif payload.domain_id:
            domain = session.get(m.Domain, payload.domain_id)
            if domain is None or not domain.enabled:
                return None
            validated.domain = domain
            domain_ids.add(domain.id)
            role_ids = self._assignment.effective_role_ids(session, user.id, 'domain', domain.id)
        elif payload.system:
            role_ids = self._assignment.effective_role_ids(session, user.id, 'system',
                                                           m.SYSTEM_TARGET)
        else:
            role_ids = set()
        if payload.application_credential_id:
            role_ids = self._application_credential_roles(session, payload, role_ids, validated)
            if role_ids is None:
                return None
        if payload.scoped and not role_ids:
            return None
        if self._revocations.is_revoked(session, payload, domain_ids):
            return None
        validated.roles = db_api.roles_by_id(session, role_ids)
        return validated

    def _application_credential_roles(self, session, payload, held_role_ids, validated):
        credential = session.get(m.ApplicationCredential, payload.application_credential_id)
        if credential is None or (credential.expires_at and credential.expires_at <= utcnow()):
            return None
        validated.application_credential = credential
        granted = {r.id for r in self._app_credentials.roles_of(session, credential.id)}
        # Like a user's, a credential's roles bring the roles they imply
        # (member ⇒ reader), as long as the user still holds them.
        return expand_implied(granted, db_api.implications(session)) & held_role_ids

    def _admin_project(self, session):
        """``(project id, domain id)`` of the cloud's admin project, cached once found."""
        if self._admin_project_row is None:
            stmt = (sa.select(m.Project.id, m.Project.domain_id)
                    .join(m.Domain, m.Domain.id == m.Project.domain_id)
                    .where(m.Domain.name == self._conf.resource.admin_project_domain_name,
                           m.Project.name == self._conf.resource.admin_project_name))
            row = session.execute(stmt).first()
            self._admin_project_row = tuple(row) if row else None
        return self._admin_project_row or (None, None)

    def admin_project_id(self, session):
        return self._admin_project(session)[0]

    def admin_domain_id(self, session):
        """The domain holding the admin project: administered by cloud admins only."""
        return self._admin_project(session)[1]

    # -- revoke ----------------------------------------------------------------

    def revoke(self, session, validated):
        self._revocations.revoke(session, audit_id=validated.payload.audit_id)
