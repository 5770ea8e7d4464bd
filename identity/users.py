"""Users, groups and passwords: the rules around storing them."""
import sqlalchemy as sa

from common import exceptions as common_exc
from common.db.types import utcnow
from identity import events
from identity import exceptions
from identity import passwords
from identity.db import api as db_api
from identity.db import models as m

# Attributes of a user that are columns; anything else a client sends
# (email, description …) is kept in ``extra`` and returned as is.
USER_COLUMNS = ('id', 'name', 'domain_id', 'enabled', 'default_project_id', 'password',
                'links', 'options', 'password_expires_at', 'federated')


class UserManager:

    def __init__(self, conf, revocations, app_credentials):
        self._conf = conf
        self._revocations = revocations
        self._app_credentials = app_credentials

    @property
    def _rounds(self):
        return self._conf.identity.password_hash_rounds

    def _check_password_length(self, password):
        if password is not None and len(password) > self._conf.identity.max_password_length:
            raise common_exc.ValidationError(
                field="'password'",
                detail=f'longer than {self._conf.identity.max_password_length} characters')

    # -- users -----------------------------------------------------------------

    def get_user(self, session, user_id):
        return db_api.get(session, m.User, user_id, exceptions.UserNotFound(user_id=user_id))

    def find_user(self, session, *, user_id=None, name=None, domain_id=None):
        if user_id is not None:
            return session.get(m.User, user_id)
        return db_api.find_by_name(session, m.User, name, domain_id)

    def _check_default_project(self, session, project_id):
        if project_id and session.get(m.Project, project_id) is None:
            raise common_exc.BadRequest(f'Default project {project_id} does not exist.')

    def create_user(self, session, attrs):
        name = attrs['name']
        domain_id = attrs.get('domain_id') or self._conf.identity.default_domain_id
        if session.get(m.Domain, domain_id) is None:
            raise common_exc.BadRequest(f'Domain {domain_id} does not exist.')
        self._check_default_project(session, attrs.get('default_project_id'))
        password = attrs.get('password')
        self._check_password_length(password)
        user = m.User(
            name=name, domain_id=domain_id, enabled=attrs.get('enabled', True),
            default_project_id=attrs.get('default_project_id'),
            password_hash=passwords.hash_password(password, self._rounds) if password else None,
            password_changed_at=utcnow() if password else None,
            extra={k: v for k, v in attrs.items() if k not in USER_COLUMNS and v is not None})
        db_api.add(session, user, 'user', name)
        events.queue(session, 'user', 'created', user.id)
        return user

    def list_users(self, session, *, name=None, domain_id=None, enabled=None,
                   user_ids=None, limit=None, marker=None):
        where = []
        if name is not None:
            where.append(m.User.name == name)
        if domain_id is not None:
            where.append(m.User.domain_id == domain_id)
        if enabled is not None:
            where.append(m.User.enabled.is_(enabled))
        if user_ids is not None:
            where.append(m.User.id.in_(user_ids))
        return db_api.list_rows(session, m.User, where=where, limit=limit, marker=marker)

    def update_user(self, session, user_id, attrs):
        user = self.get_user(session, user_id)
        if attrs.get('domain_id') not in (None, user.domain_id):
            raise common_exc.BadRequest('The domain of a user cannot be changed.')
        if attrs.get('name') is not None:
            user.name = attrs['name']
        if attrs.get('enabled') is not None:
            user.enabled = attrs['enabled']
        if 'default_project_id' in attrs:
            self._check_default_project(session, attrs['default_project_id'])
            user.default_project_id = attrs['default_project_id']
        if 'password' in attrs:
            self._set_password(session, user, attrs['password'])
        extra = {k: v for k, v in attrs.items() if k not in USER_COLUMNS}
        if extra:
            user.extra = {**(user.extra or {}), **extra}
        db_api.flush_unique(session, 'user', user.name)
        if attrs.get('enabled') is False:
            self._revocations.revoke(session, user_id=user.id)
        events.queue(session, 'user', 'updated', user.id)
        return user

    def _set_password(self, session, user, password):
        self._check_password_length(password)
        user.password_hash = passwords.hash_password(password, self._rounds) if password else None
        user.password_changed_at = utcnow()
        self._revocations.revoke(session, user_id=user.id)

    def change_password(self, session, user_id, original_password, new_password):
        """A user's own password change: the original must be right (else 401)."""
        user = session.get(m.User, user_id)
        if user is None or not user.enabled or not passwords.check_password(
                original_password, user.password_hash):
            raise exceptions.AuthenticationFailed()
        self._set_password(session, user, new_password)
        events.queue(session, 'user', 'updated', user.id)

    def delete_user(self, session, user_id):
        user = self.get_user(session, user_id)
        session.execute(sa.delete(m.GroupMembership).where(m.GroupMembership.user_id == user.id))
        db_api.delete_assignments(session, actor_id=user.id)
        self._app_credentials.delete_for_user(session, user.id)
        self._revocations.revoke(session, user_id=user.id)
        session.delete(user)
        events.queue(session, 'user', 'deleted', user.id)

    def check_password(self, session, user, password):
        """The user when ``password`` is theirs and they are enabled, else 401.

        An unknown user (``user is None``), a user without a password, or a
        request without one, costs the same time as a wrong password, so
        response times do not reveal who exists.
        """
        if user is None or not user.password_hash or password is None:
            passwords.burn_check(self._rounds)
            raise exceptions.AuthenticationFailed()
        if not passwords.check_password(password, user.password_hash) or not user.enabled:
            raise exceptions.AuthenticationFailed()
        domain = session.get(m.Domain, user.domain_id)
        if domain is None or not domain.enabled:
            raise exceptions.AuthenticationFailed()
        return user

    # -- groups ----------------------------------------------------------------

    def get_group(self, session, group_id):
        return db_api.get(session, m.Group, group_id, exceptions.GroupNotFound(group_id=group_id))

    def create_group(self, session, attrs):
        domain_id = attrs.get('domain_id') or self._conf.identity.default_domain_id
        if session.get(m.Domain, domain_id) is None:
            raise common_exc.BadRequest(f'Domain {domain_id} does not exist.')
        group = m.Group(name=attrs['name'], domain_id=domain_id,
                        description=attrs.get('description') or '')
        db_api.add(session, group, 'group', attrs['name'])
        events.queue(session, 'group', 'created', group.id)
        return group

    def list_groups(self, session, *, name=None, domain_id=None, group_ids=None,
                    limit=None, marker=None):
        where = []
        if name is not None:
            where.append(m.Group.name == name)
        if domain_id is not None:
            where.append(m.Group.domain_id == domain_id)
        if group_ids is not None:
            where.append(m.Group.id.in_(group_ids))
        return db_api.list_rows(session, m.Group, where=where, limit=limit, marker=marker)

    def update_group(self, session, group_id, attrs):
        group = self.get_group(session, group_id)
        if attrs.get('domain_id') not in (None, group.domain_id):
            raise common_exc.BadRequest('The domain of a group cannot be changed.')
        if attrs.get('name') is not None:
            group.name = attrs['name']
        if 'description' in attrs:
            group.description = attrs['description'] or ''
        db_api.flush_unique(session, 'group', group.name)
        events.queue(session, 'group', 'updated', group.id)
        return group

    def delete_group(self, session, group_id):
        group = self.get_group(session, group_id)
        members = db_api.user_ids_in_group(session, group.id)
        session.execute(sa.delete(m.GroupMembership).where(m.GroupMembership.group_id == group.id))
        db_api.delete_assignments(session, actor_id=group.id)
        self._revocations.revoke_users(session, members)
        session.delete(group)
        events.queue(session, 'group', 'deleted', group.id)

    def add_member(self, session, group_id, user_id):
        self.get_group(session, group_id)
        self.get_user(session, user_id)
        if session.get(m.GroupMembership, (user_id, group_id)) is None and \
                db_api.add_if_absent(session, m.GroupMembership(user_id=user_id,
                                                                group_id=group_id)):
            events.queue(session, 'group', 'updated', group_id)

    def check_member(self, session, group_id, user_id):
        self.get_group(session, group_id)
        self.get_user(session, user_id)
        if session.get(m.GroupMembership, (user_id, group_id)) is None:
            raise exceptions.MembershipNotFound(user_id=user_id, group_id=group_id)

    def remove_member(self, session, group_id, user_id):
        self.get_group(session, group_id)
        self.get_user(session, user_id)
        # A conditional DELETE: of two concurrent removals, the second gets 404.
        removed = session.execute(sa.delete(m.GroupMembership).where(
            m.GroupMembership.user_id == user_id,
            m.GroupMembership.group_id == group_id)).rowcount
        if not removed:
            raise exceptions.MembershipNotFound(user_id=user_id, group_id=group_id)
        # The user may hold roles through the group: their tokens must go.
        self._revocations.revoke(session, user_id=user_id)
        events.queue(session, 'group', 'updated', group_id)

    def members(self, session, group_id, limit=None, marker=None):
        self.get_group(session, group_id)
        return self.list_users(session, user_ids=db_api.user_ids_in_group(session, group_id),
                               limit=limit, marker=marker)

    def groups_of(self, session, user_id, limit=None, marker=None):
        self.get_user(session, user_id)
        return self.list_groups(session, group_ids=db_api.group_ids_of_user(session, user_id),
                                limit=limit, marker=marker)
