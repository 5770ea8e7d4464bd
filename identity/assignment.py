"""Roles, role implications and role assignments (grants).

A user's roles on a target are the roles granted to the user or to any of
the user's groups on that target, plus every role those imply, transitively
(``admin`` ⇒ ``member`` ⇒ ``reader`` by default).  Tokens carry these
effective roles, computed again at every validation, so a removed grant is
gone from the next validation.  Removing a grant also revokes the tokens
that carried it.
"""
import dataclasses

import sqlalchemy as sa

from common import exceptions as common_exc
from identity import events
from identity import exceptions
from identity.db import api as db_api
from identity.db import models as m
from identity.db.models import AssignmentType as T

PROJECT_TYPES = (T.USER_PROJECT, T.GROUP_PROJECT)
DOMAIN_TYPES = (T.USER_DOMAIN, T.GROUP_DOMAIN)
SYSTEM_TYPES = (T.USER_SYSTEM, T.GROUP_SYSTEM)
GROUP_TYPES = (T.GROUP_PROJECT, T.GROUP_DOMAIN, T.GROUP_SYSTEM)


@dataclasses.dataclass(frozen=True)
class Grant:
    """One (actor, target, role) of a role assignment listing.

    ``group_id`` is set on an effective assignment a user holds through a
    group; ``prior_role_id`` on one that exists because another role implies it.
    """
    role_id: str
    user_id: str | None = None
    group_id: str | None = None
    project_id: str | None = None
    domain_id: str | None = None
    system: bool = False
    via_group_id: str | None = None
    prior_role_id: str | None = None


def assignment_type(actor_is_group, target_kind):
    return {('project', False): T.USER_PROJECT, ('project', True): T.GROUP_PROJECT,
            ('domain', False): T.USER_DOMAIN, ('domain', True): T.GROUP_DOMAIN,
            ('system', False): T.USER_SYSTEM, ('system', True): T.GROUP_SYSTEM,
            }[(target_kind, actor_is_group)]


def expand_implied(role_ids, implications):
    """``role_ids`` and every role they imply, transitively."""
    result = set(role_ids)
    pending = list(role_ids)
    while pending:
        for implied in implications.get(pending.pop(), ()):
            if implied not in result:
                result.add(implied)
                pending.append(implied)
    return result


class AssignmentManager:

    def __init__(self, conf, revocations):
        self._conf = conf
        self._revocations = revocations

    # -- roles -----------------------------------------------------------------

    def get_role(self, session, role_id):
        return db_api.get(session, m.Role, role_id, exceptions.RoleNotFound(role_id=role_id))

    def find_role(self, session, name_or_id):
        role = session.get(m.Role, name_or_id) or db_api.find_by_name(session, m.Role, name_or_id)
        if role is None:
            raise exceptions.RoleNotFound(role_id=name_or_id)
        return role

    def create_role(self, session, attrs):
        if attrs.get('domain_id'):
            raise common_exc.BadRequest('Domain-specific roles are not supported.')
        role = m.Role(name=attrs['name'], description=attrs.get('description') or '')
        db_api.add(session, role, 'role', attrs['name'])
        events.queue(session, 'role', 'created', role.id)
        return role

    def list_roles(self, session, *, name=None, limit=None, marker=None):
        where = [m.Role.name == name] if name is not None else []
        return db_api.list_rows(session, m.Role, where=where, limit=limit, marker=marker)

    def update_role(self, session, role_id, attrs):
        role = self.get_role(session, role_id)
        if attrs.get('name') is not None:
            role.name = attrs['name']
        if 'description' in attrs:
            role.description = attrs['description'] or ''
        db_api.flush_unique(session, 'role', role.name)
        events.queue(session, 'role', 'updated', role.id)
        return role

    def delete_role(self, session, role_id):
        role = self.get_role(session, role_id)
        for grant in db_api.assignments(session, role_ids=[role.id]):
            self._revoke_tokens_of(session, grant)
        db_api.delete_assignments(session, role_id=role.id)
        session.execute(sa.delete(m.ImpliedRole).where(sa.or_(
            m.ImpliedRole.prior_role_id == role.id, m.ImpliedRole.implied_role_id == role.id)))
        session.execute(sa.delete(m.ApplicationCredentialRole).where(
            m.ApplicationCredentialRole.role_id == role.id))
        session.delete(role)
        events.queue(session, 'role', 'deleted', role.id)

    # -- implied roles ---------------------------------------------------------

    def create_implied_role(self, session, prior_role_id, implied_role_id):
        self.get_role(session, prior_role_id)
        self.get_role(session, implied_role_id)
        if prior_role_id == implied_role_id or prior_role_id in expand_implied(
                [implied_role_id], db_api.implications(session)):
            raise common_exc.BadRequest('A role implication must not form a loop.')
        if session.get(m.ImpliedRole, (prior_role_id, implied_role_id)) is None:
            db_api.add_if_absent(session, m.ImpliedRole(prior_role_id=prior_role_id,
                                                        implied_role_id=implied_role_id))

    def get_implied_role(self, session, prior_role_id, implied_role_id):
        self.get_role(session, prior_role_id)
        self.get_role(session, implied_role_id)
        rule = session.get(m.ImpliedRole, (prior_role_id, implied_role_id))
        if rule is None:
            raise exceptions.ImpliedRoleNotFound(prior_role_id=prior_role_id,
                                                 implied_role_id=implied_role_id)
        return rule

    def delete_implied_role(self, session, prior_role_id, implied_role_id):
        session.delete(self.get_implied_role(session, prior_role_id, implied_role_id))

    def implied_roles_of(self, session, prior_role_id):
        self.get_role(session, prior_role_id)
        return db_api.roles_by_id(session, db_api.implications(session).get(prior_role_id, ()))

    def implications(self, session):
        return db_api.implications(session)

    # -- effective roles -------------------------------------------------------

    def effective_role_ids(self, session, user_id, target_kind, target_id):
        """Ids of every role ``user_id`` holds on the target, directly, by group or implied."""
        types = {'project': PROJECT_TYPES, 'domain': DOMAIN_TYPES, 'system': SYSTEM_TYPES}
        actors = [user_id] + db_api.group_ids_of_user(session, user_id)
        direct = db_api.assigned_role_ids(session, actors, target_id, types[target_kind])
        return expand_implied(direct, db_api.implications(session))

    def effective_roles(self, session, user_id, target_kind, target_id):
        return db_api.roles_by_id(session, self.effective_role_ids(
            session, user_id, target_kind, target_id))

    def project_ids_of_user(self, session, user_id):
        """Projects on which the user holds any role, directly or by group."""
        actors = [user_id] + db_api.group_ids_of_user(session, user_id)
        return {a.target_id for a in db_api.assignments(session, types=PROJECT_TYPES,
                                                        actor_ids=actors)}

    def domain_ids_of_user(self, session, user_id):
        actors = [user_id] + db_api.group_ids_of_user(session, user_id)
        return {a.target_id for a in db_api.assignments(session, types=DOMAIN_TYPES,
                                                        actor_ids=actors)}

    # -- grants ----------------------------------------------------------------

    def _check_actor_and_target(self, session, actor_id, is_group, target_kind, target_id):
        if is_group:
            db_api.get(session, m.Group, actor_id, exceptions.GroupNotFound(group_id=actor_id))
        else:
            db_api.get(session, m.User, actor_id, exceptions.UserNotFound(user_id=actor_id))
        if target_kind == 'project':
            db_api.get(session, m.Project, target_id,
                       exceptions.ProjectNotFound(project_id=target_id))
        elif target_kind == 'domain':
            db_api.get(session, m.Domain, target_id, exceptions.DomainNotFound(domain_id=target_id))

    def create_grant(self, session, role_id, actor_id, is_group, target_kind, target_id):
        self.get_role(session, role_id)
        self._check_actor_and_target(session, actor_id, is_group, target_kind, target_id)
        kind = assignment_type(is_group, target_kind)
        key = (kind.value, actor_id, target_id, role_id)
        if session.get(m.Assignment, key) is None and db_api.add_if_absent(
                session, m.Assignment(type=kind.value, actor_id=actor_id,
                                      target_id=target_id, role_id=role_id)):
            events.queue(session, 'role_assignment', 'created', role_id)

    def check_grant(self, session, role_id, actor_id, is_group, target_kind, target_id):
        self.get_role(session, role_id)
        self._check_actor_and_target(session, actor_id, is_group, target_kind, target_id)
        kind = assignment_type(is_group, target_kind)
        grant = session.get(m.Assignment, (kind.value, actor_id, target_id, role_id))
        if grant is None:
            raise exceptions.RoleAssignmentNotFound(
                role_id=role_id, actor=f"{'group' if is_group else 'user'}: {actor_id}",
                target=f'{target_kind}: {target_id}')
        return grant

    def delete_grant(self, session, role_id, actor_id, is_group, target_kind, target_id):
        grant = self.check_grant(session, role_id, actor_id, is_group, target_kind, target_id)
        self._revoke_tokens_of(session, grant)
        # A conditional DELETE: of two concurrent revocations one deletes the
        # row, the other finds it gone (404), as if it had come second.
        if not db_api.delete_row(session, grant):
            raise exceptions.RoleAssignmentNotFound(
                role_id=role_id, actor=f"{'group' if is_group else 'user'}: {actor_id}",
                target=f'{target_kind}: {target_id}')
        events.queue(session, 'role_assignment', 'deleted', role_id)

    def grants_on(self, session, actor_id, is_group, target_kind, target_id):
        """Roles granted directly to the actor on the target."""
        self._check_actor_and_target(session, actor_id, is_group, target_kind, target_id)
        kind = assignment_type(is_group, target_kind)
        rows = db_api.assignments(session, types=[kind], actor_ids=[actor_id],
                                  target_ids=[target_id])
        return db_api.roles_by_id(session, {r.role_id for r in rows})

    def _revoke_tokens_of(self, session, grant):
        """Revoke the tokens that may carry ``grant``'s role."""
        kind = T(grant.type)
        users = (db_api.user_ids_in_group(session, grant.actor_id) if kind in GROUP_TYPES
                 else [grant.actor_id])
        if kind in PROJECT_TYPES:
            self._revocations.revoke_users(session, users, project_id=grant.target_id)
        else:
            # Domain and system tokens have no narrower field to match on.
            self._revocations.revoke_users(session, users)

    # -- listing ---------------------------------------------------------------

    def list_grants(self, session, *, user_id=None, group_id=None, role_id=None,
                    project_id=None, domain_id=None, system=False, effective=False):
        """Role assignments matching the filters, as ``Grant`` objects.

        With ``effective``, group grants become one grant per member user and
        implied roles are added, as Keystone's ``?effective`` does.
        """
        types = [t for t in T if _type_allowed(t, project_id, domain_id, system)]
        target_ids = [project_id or domain_id or m.SYSTEM_TARGET] if (
            project_id or domain_id or system) else None
        rows = db_api.assignments(session, types=types, target_ids=target_ids)
        grants = [_grant_of(row) for row in rows]
        if effective:
            grants = self._expand_groups(session, grants)
            grants = self._expand_implied(session, grants)
        return [g for g in grants
                if (user_id is None or g.user_id == user_id)
                and (group_id is None or g.group_id == group_id)
                and (role_id is None or g.role_id == role_id)]

    def _expand_groups(self, session, grants):
        result = []
        for grant in grants:
            if grant.group_id is None:
                result.append(grant)
                continue
            for member in db_api.user_ids_in_group(session, grant.group_id):
                result.append(dataclasses.replace(grant, user_id=member, group_id=None,
                                                  via_group_id=grant.group_id))
        return result

    def _expand_implied(self, session, grants):
        implications = db_api.implications(session)
        result = list(grants)
        for grant in grants:
            for implied in expand_implied([grant.role_id], implications) - {grant.role_id}:
                result.append(dataclasses.replace(grant, role_id=implied,
                                                  prior_role_id=grant.role_id))
        return result


def _type_allowed(kind, project_id, domain_id, system):
    if project_id:
        return kind in PROJECT_TYPES
    if domain_id:
        return kind in DOMAIN_TYPES
    if system:
        return kind in SYSTEM_TYPES
    return True


def _grant_of(row):
    kind = T(row.type)
    is_group = kind in GROUP_TYPES
    return Grant(role_id=row.role_id,
                 user_id=None if is_group else row.actor_id,
                 group_id=row.actor_id if is_group else None,
                 project_id=row.target_id if kind in PROJECT_TYPES else None,
                 domain_id=row.target_id if kind in DOMAIN_TYPES else None,
                 system=kind in SYSTEM_TYPES)
