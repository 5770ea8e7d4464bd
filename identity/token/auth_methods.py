"""The ``identity`` part of ``POST /v3/auth/tokens``: who is asking.

Three methods are supported: ``password``, ``token`` (exchange a valid
token, for example an unscoped one for a project-scoped one) and
``application_credential``.  When a request lists several methods, each
must succeed and all must name the same user.
"""
import dataclasses
import datetime

from common import exceptions as common_exc
from identity import exceptions
from identity.db import models as m


@dataclasses.dataclass
class AuthResult:
    """Who authenticated, how, and what limits the new token inherits."""
    user: m.User
    methods: list
    expires_at: datetime.datetime | None = None
    audit_chain_id: str | None = None
    parent_scoped: bool = False
    application_credential: m.ApplicationCredential | None = None


class Authenticator:

    def __init__(self, resource, users, app_credentials, tokens):
        self._resource = resource
        self._users = users
        self._app_credentials = app_credentials
        self._tokens = tokens

    def authenticate(self, session, identity):
        methods = identity['methods']
        results = []
        for method in methods:
            if method not in identity:
                raise common_exc.ValidationError(field=f"'auth.identity.{method}'",
                                                 detail='is required by the listed methods')
            handler = {'password': self._password, 'token': self._token,
                       'application_credential': self._application_credential}.get(method)
            if handler is None:
                raise exceptions.AuthMethodNotSupported()
            results.append(handler(session, identity[method]))
        if len({r.user.id for r in results}) != 1:
            raise exceptions.AuthenticationFailed()
        caps = [r.expires_at for r in results if r.expires_at]
        return AuthResult(
            user=results[0].user,
            methods=list(dict.fromkeys(m for r in results for m in r.methods)),
            expires_at=min(caps) if caps else None,
            audit_chain_id=next((r.audit_chain_id for r in results if r.audit_chain_id), None),
            parent_scoped=any(r.parent_scoped for r in results),
            application_credential=next((r.application_credential for r in results
                                         if r.application_credential), None))

    def _find_domain_id(self, session, domain_ref, field):
        if not domain_ref:
            raise common_exc.ValidationError(field=f"'{field}'",
                                             detail='a domain is required with a user name')
        try:
            domain = self._resource.find_domain(session, domain_id=domain_ref.get('id'),
                                                name=domain_ref.get('name'))
        except exceptions.DomainNotFound:
            return None
        return domain.id

    def _user_from_ref(self, session, user_ref, field):
        if user_ref.get('id'):
            return self._users.find_user(session, user_id=user_ref['id'])
        if not user_ref.get('name'):
            raise common_exc.ValidationError(field=f"'{field}'", detail='needs an id or a name')
        domain_id = self._find_domain_id(session, user_ref.get('domain'), f'{field}.domain')
        if domain_id is None:
            return None
        return self._users.find_user(session, name=user_ref['name'], domain_id=domain_id)

    def _password(self, session, body):
        user_ref = body.get('user') or {}
        user = self._user_from_ref(session, user_ref, 'auth.identity.password.user')
        self._users.check_password(session, user, user_ref.get('password'))
        return AuthResult(user=user, methods=['password'])

    def _token(self, session, body):
        try:
            parent = self._tokens.validate(session, body.get('id') or '')
        except (exceptions.TokenNotFound, exceptions.InvalidToken):
            raise exceptions.InvalidToken() from None
        if parent.payload.application_credential_id:
            raise common_exc.Forbidden('A token obtained with an application credential '
                                       'cannot be exchanged for another token.')
        return AuthResult(user=parent.user, methods=parent.payload.methods + ['token'],
                          expires_at=parent.payload.expires_at,
                          audit_chain_id=parent.payload.audit_chain_id,
                          parent_scoped=parent.payload.scoped)

    def _application_credential(self, session, body):
        secret = body.get('secret')
        if not secret:
            raise common_exc.ValidationError(
                field="'auth.identity.application_credential.secret'", detail='is required')
        if body.get('id'):
            credential = self._app_credentials.authenticate(
                session, credential_id=body['id'], secret=secret)
        else:
            user = self._user_from_ref(session, body.get('user') or {},
                                       'auth.identity.application_credential.user')
            if user is None or not body.get('name'):
                self._app_credentials.refuse()
            credential = self._app_credentials.authenticate(
                session, name=body['name'], user_id=user.id, secret=secret)
        user = session.get(m.User, credential.user_id)
        if user is None or not user.enabled:
            raise exceptions.AuthenticationFailed()
        return AuthResult(user=user, methods=['application_credential'],
                          expires_at=credential.expires_at, application_credential=credential)
