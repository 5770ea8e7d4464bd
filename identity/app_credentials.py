"""Application credentials: a user's delegated secret for one project.

A credential carries a subset of the roles its user had on the project when
it was made; a token obtained with it is scoped to that project and holds
those roles still held by the user at validation time.  A *restricted*
credential (the default) cannot be used to create or delete credentials.
"""
import datetime
import secrets

import sqlalchemy as sa

from common import exceptions as common_exc
from common.db.types import utcnow
from identity import events
from identity import exceptions
from identity import passwords
from identity.db import api as db_api
from identity.db import models as m


def _parse_expiry(value):
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise common_exc.ValidationError(field="'application_credential.expires_at'",
                                         detail=f"'{value}' is not an ISO 8601 time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    if parsed <= utcnow():
        raise common_exc.BadRequest('The expiry time of an application credential '
                                    'must be in the future.')
    return parsed


class ApplicationCredentialManager:

    def __init__(self, conf, revocations):
        self._conf = conf
        self._revocations = revocations

    def get(self, session, user_id, credential_id):
        credential = session.get(m.ApplicationCredential, credential_id)
        if credential is None or credential.user_id != user_id:
            raise exceptions.ApplicationCredentialNotFound(
                application_credential_id=credential_id)
        return credential

    def roles_of(self, session, credential_id):
        stmt = sa.select(m.ApplicationCredentialRole.role_id).where(
            m.ApplicationCredentialRole.application_credential_id == credential_id)
        return db_api.roles_by_id(session, set(session.execute(stmt).scalars()))

    def create(self, session, user_id, project_id, attrs, held_roles):
        """Create a credential; ``held_roles`` are the roles of the creating token.

        :returns: ``(credential, secret)``; the secret is shown only now.
        """
        if project_id is None:
            raise common_exc.BadRequest('Application credentials need a project-scoped token.')
        by_id = {r.id: r for r in held_roles}
        by_name = {r.name: r for r in held_roles}
        chosen = []
        for wanted in attrs.get('roles') or []:
            role = by_id.get(wanted.get('id')) or by_name.get(wanted.get('name'))
            if role is None:
                raise common_exc.BadRequest(
                    'An application credential may only carry roles the user '
                    f"holds on the project; {wanted.get('id') or wanted.get('name')} is not one.")
            chosen.append(role)
        chosen = chosen or list(held_roles)
        secret = attrs.get('secret') or secrets.token_urlsafe(48)
        credential = m.ApplicationCredential(
            name=attrs['name'], user_id=user_id, project_id=project_id,
            secret_hash=passwords.hash_password(secret, self._conf.identity.password_hash_rounds),
            description=attrs.get('description') or '',
            expires_at=_parse_expiry(attrs.get('expires_at')),
            unrestricted=bool(attrs.get('unrestricted')))
        db_api.add(session, credential, 'application credential', attrs['name'])
        for role in {r.id: r for r in chosen}.values():
            session.add(m.ApplicationCredentialRole(application_credential_id=credential.id,
                                                    role_id=role.id))
        events.queue(session, 'application_credential', 'created', credential.id)
        return credential, secret

    def list(self, session, user_id, *, name=None, limit=None, marker=None):
        where = [m.ApplicationCredential.user_id == user_id]
        if name is not None:
            where.append(m.ApplicationCredential.name == name)
        return db_api.list_rows(session, m.ApplicationCredential, where=where,
                                limit=limit, marker=marker)

    def delete(self, session, user_id, credential_id):
        credential = self.get(session, user_id, credential_id)
        self._delete_row(session, credential)

    def _delete_row(self, session, credential):
        session.execute(sa.delete(m.ApplicationCredentialRole).where(
            m.ApplicationCredentialRole.application_credential_id == credential.id))
        self._revocations.revoke(session, application_credential_id=credential.id)
        session.delete(credential)
        events.queue(session, 'application_credential', 'deleted', credential.id)

    def delete_for_user(self, session, user_id):
        for credential in self.list(session, user_id):
            self._delete_row(session, credential)

    def delete_for_project(self, session, project_id):
        for credential in db_api.list_rows(session, m.ApplicationCredential,
                                           where=[m.ApplicationCredential.project_id == project_id]):
            self._delete_row(session, credential)

    def refuse(self):
        """Raise ``AuthenticationFailed`` after the time a secret check takes, so
        that an unknown user or credential answers as slowly as a wrong secret."""
        passwords.burn_check(self._conf.identity.password_hash_rounds)
        raise exceptions.AuthenticationFailed()

    def authenticate(self, session, *, credential_id=None, name=None, user_id=None, secret):
        """The credential when ``secret`` is right and it has not expired, else 401."""
        if credential_id is not None:
            credential = session.get(m.ApplicationCredential, credential_id)
        else:
            credential = session.execute(sa.select(m.ApplicationCredential).where(
                m.ApplicationCredential.name == name,
                m.ApplicationCredential.user_id == user_id)).scalar_one_or_none()
        if credential is None:
            self.refuse()
        if not passwords.check_password(secret, credential.secret_hash):
            raise exceptions.AuthenticationFailed()
        if credential.expires_at is not None and credential.expires_at <= utcnow():
            raise exceptions.AuthenticationFailed()
        return credential
