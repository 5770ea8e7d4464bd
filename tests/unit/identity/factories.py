"""Test data for the identity service, made through its managers.

Every factory commits its own transaction and returns detached rows whose
attributes stay readable.  Names are unique unless given, so tests sharing
a module's service do not collide.
"""
import datetime
import itertools

from common.db.types import utcnow
from identity.db import models as m
from identity.token import fernet_keys
from identity.token import formatter
from identity.token.auth_methods import AuthResult
from identity.token.model import TokenPayload

PASSWORD = 'correct horse battery staple'
_counter = itertools.count(1)


def unique(prefix):
    return f'{prefix}-{next(_counter)}'


def _id(obj):
    return obj if isinstance(obj, str) or obj is None else obj.id


def make_domain(backend, **attrs):
    attrs.setdefault('name', unique('domain'))
    with backend.writer() as session:
        return backend.resource.create_domain(session, attrs)


def make_project(backend, domain=None, parent=None, **attrs):
    attrs.setdefault('name', unique('project'))
    if parent is not None:
        attrs['parent_id'] = _id(parent)  # the domain is the parent's
    else:
        attrs.setdefault('domain_id', _id(domain) or 'default')
    with backend.writer() as session:
        return backend.resource.create_project(session, attrs)


def make_user(backend, domain=None, password=PASSWORD, **attrs):
    attrs.setdefault('name', unique('user'))
    attrs.setdefault('domain_id', _id(domain) or 'default')
    attrs['password'] = password
    with backend.writer() as session:
        return backend.users.create_user(session, attrs)


def make_group(backend, domain=None, members=(), **attrs):
    attrs.setdefault('name', unique('group'))
    attrs.setdefault('domain_id', _id(domain) or 'default')
    with backend.writer() as session:
        group = backend.users.create_group(session, attrs)
        session.flush()
        for user in members:
            backend.users.add_member(session, group.id, _id(user))
        return group


def add_member(backend, group, user):
    with backend.writer() as session:
        backend.users.add_member(session, _id(group), _id(user))


def make_role(backend, **attrs):
    attrs.setdefault('name', unique('role'))
    with backend.writer() as session:
        return backend.assignment.create_role(session, attrs)


def role(backend, name):
    with backend.reader() as session:
        return backend.assignment.find_role(session, name)


def _target(project, domain, system):
    if project is not None:
        return 'project', _id(project)
    if domain is not None:
        return 'domain', _id(domain)
    assert system, 'a grant needs a project, a domain or system=True'
    return 'system', m.SYSTEM_TARGET


def grant(backend, role_name_or_row, *, user=None, group=None, project=None, domain=None,
          system=False):
    """Give ``user`` (or ``group``) the role on a project, a domain or the system."""
    kind, target_id = _target(project, domain, system)
    with backend.writer() as session:
        role_row = (backend.assignment.find_role(session, role_name_or_row)
                    if isinstance(role_name_or_row, str) else role_name_or_row)
        backend.assignment.create_grant(session, role_row.id, _id(user or group),
                                        group is not None, kind, target_id)


def revoke(backend, role_name, *, user=None, group=None, project=None, domain=None,
           system=False):
    kind, target_id = _target(project, domain, system)
    with backend.writer() as session:
        role_row = backend.assignment.find_role(session, role_name)
        backend.assignment.delete_grant(session, role_row.id, _id(user or group),
                                        group is not None, kind, target_id)


def scope_of(project=None, domain=None, system=False):
    """The ``auth.scope`` of a token request."""
    if project is not None:
        return {'project': {'id': _id(project)}}
    if domain is not None:
        return {'domain': {'id': _id(domain)}}
    if system:
        return {'system': {'all': True}}
    return 'unscoped'


def token_for(backend, user, *, project=None, domain=None, system=False, methods=('password',),
              application_credential=None):
    """A token for ``user`` as if they had just authenticated (no password check)."""
    with backend.reader() as session:
        user_row = session.get(m.User, _id(user))
        credential = (session.get(m.ApplicationCredential, _id(application_credential))
                      if application_credential is not None else None)
        result = AuthResult(user=user_row, methods=list(methods),
                            application_credential=credential,
                            expires_at=credential.expires_at if credential else None)
        scope = None if credential else scope_of(project, domain, system)
        return backend.tokens.issue(session, result, scope).token_id


def forge_token(env, user, *, project=None, domain=None, system=False, methods=('password',),
                issued_at=None, expires_at=None, audit_ids=None, application_credential=None):
    """A token sealed with the service's keys, with any times and contents.

    For what cannot be requested: tokens already expired, issued in the past.
    """
    issued_at = issued_at or utcnow()
    payload = TokenPayload(
        user_id=_id(user), methods=list(methods), issued_at=issued_at,
        expires_at=expires_at or issued_at + datetime.timedelta(hours=1),
        audit_ids=audit_ids or [formatter.new_audit_id()], project_id=_id(project),
        domain_id=_id(domain), system=system,
        application_credential_id=_id(application_credential))
    return formatter.pack(payload, fernet_keys.KeyRing(env.key_repository).crypto())


def make_application_credential(backend, user, project, roles=None, **attrs):
    """``(credential, secret)``; ``roles`` are names (default: all the user holds)."""
    attrs.setdefault('name', unique('appcred'))
    expires_at = attrs.pop('expires_at', None)
    with backend.writer() as session:
        held = backend.assignment.effective_roles(session, _id(user), 'project', _id(project))
        if roles is not None:
            attrs['roles'] = [{'name': name} for name in roles]
        credential, secret = backend.app_credentials.create(session, _id(user), _id(project),
                                                            attrs, held)
        if expires_at is not None:
            # May be in the past: the manager refuses that, time passing does not.
            credential.expires_at = expires_at
        return credential, secret


def password_auth(user, password=PASSWORD, scope=None, domain_name=None):
    """The body of ``POST /v3/auth/tokens`` for password authentication.

    :param user: a ``User`` row (sent by id), or a name (sent with
        ``domain_name``, default ``Default``).
    """
    if isinstance(user, str):
        user_ref = {'name': user, 'domain': {'name': domain_name or 'Default'}}
    else:
        user_ref = {'id': user.id}
    body = {'auth': {'identity': {'methods': ['password'],
                                  'password': {'user': {**user_ref, 'password': password}}}}}
    if scope is not None:
        body['auth']['scope'] = scope
    return body


def token_auth(token, scope=None):
    body = {'auth': {'identity': {'methods': ['token'], 'token': {'id': token}}}}
    if scope is not None:
        body['auth']['scope'] = scope
    return body


def app_credential_auth(credential_id, secret):
    return {'auth': {'identity': {
        'methods': ['application_credential'],
        'application_credential': {'id': credential_id, 'secret': secret}}}}
