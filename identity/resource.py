"""Domains and projects: the rules around storing them."""
import sqlalchemy as sa

from common import exceptions as common_exc
from identity import events
from identity import exceptions
from identity.db import api as db_api
from identity.db import models as m


class ResourceManager:

    def __init__(self, conf, revocations, users, app_credentials):
        self._conf = conf
        self._revocations = revocations
        self._users = users
        self._app_credentials = app_credentials

    # -- domains ---------------------------------------------------------------

    def get_domain(self, session, domain_id):
        return db_api.get(session, m.Domain, domain_id,
                          exceptions.DomainNotFound(domain_id=domain_id))

    def find_domain(self, session, *, domain_id=None, name=None):
        """The domain named by id or by name (as in auth requests)."""
        if domain_id is not None:
            return self.get_domain(session, domain_id)
        domain = db_api.find_by_name(session, m.Domain, name)
        if domain is None:
            raise exceptions.DomainNotFound(domain_id=name)
        return domain

    def create_domain(self, session, attrs):
        domain = m.Domain(id=attrs.get('id') or None, name=attrs['name'],
                          description=attrs.get('description') or '',
                          enabled=attrs.get('enabled', True),
                          tags=attrs.get('tags') or [])
        db_api.add(session, domain, 'domain', attrs['name'])
        events.queue(session, 'domain', 'created', domain.id)
        return domain

    def list_domains(self, session, *, name=None, enabled=None, limit=None, marker=None):
        where = []
        if name is not None:
            where.append(m.Domain.name == name)
        if enabled is not None:
            where.append(m.Domain.enabled.is_(enabled))
        return db_api.list_rows(session, m.Domain, where=where, limit=limit, marker=marker)

    def update_domain(self, session, domain_id, attrs):
        domain = self.get_domain(session, domain_id)
        if attrs.get('name') is not None:
            domain.name = attrs['name']
        if 'description' in attrs:
            domain.description = attrs['description'] or ''
        if 'tags' in attrs:
            domain.tags = attrs['tags'] or []
        if attrs.get('enabled') is not None:
            domain.enabled = attrs['enabled']
        db_api.flush_unique(session, 'domain', domain.name)
        if attrs.get('enabled') is False:
            self._revocations.revoke(session, domain_id=domain.id)
        events.queue(session, 'domain', 'updated', domain.id)
        return domain

    def delete_domain(self, session, domain_id):
        """Delete a disabled domain with everything in it."""
        domain = self.get_domain(session, domain_id)
        if domain.enabled:
            raise exceptions.DomainNotDisabled()
        projects = db_api.list_rows(session, m.Project, where=[m.Project.domain_id == domain.id])
        # Children before parents, so no foreign key points at a deleted row.
        for project in sorted(projects, key=lambda p: self._depth(session, p), reverse=True):
            self._delete_project_row(session, project)
        for user in db_api.list_rows(session, m.User, where=[m.User.domain_id == domain.id]):
            self._users.delete_user(session, user.id)
        for group in db_api.list_rows(session, m.Group, where=[m.Group.domain_id == domain.id]):
            self._users.delete_group(session, group.id)
        db_api.delete_assignments(session, target_id=domain.id)
        self._revocations.revoke(session, domain_id=domain.id)
        session.delete(domain)
        events.queue(session, 'domain', 'deleted', domain.id)

    # -- projects --------------------------------------------------------------

    def get_project(self, session, project_id):
        return db_api.get(session, m.Project, project_id,
                          exceptions.ProjectNotFound(project_id=project_id))

    def find_project(self, session, *, project_id=None, name=None, domain_id=None):
        """The project named by id, or by name within ``domain_id``."""
        if project_id is not None:
            return self.get_project(session, project_id)
        project = db_api.find_by_name(session, m.Project, name, domain_id)
        if project is None:
            raise exceptions.ProjectNotFound(project_id=name)
        return project

    def _depth(self, session, project):
        depth = 0
        while project.parent_id:
            project = session.get(m.Project, project.parent_id)
            depth += 1
        return depth

    def create_project(self, session, attrs):
        if attrs.get('is_domain'):
            raise common_exc.BadRequest('Creating domains through the projects API '
                                        '(is_domain=true) is not supported; use /v3/domains.')
        domain_id = attrs.get('domain_id') or self._conf.identity.default_domain_id
        parent_id = attrs.get('parent_id')
        if parent_id == domain_id:
            parent_id = None
        if parent_id:
            parent = session.get(m.Project, parent_id)
            if parent is None:
                raise common_exc.BadRequest(f'Parent project {parent_id} does not exist.')
            if attrs.get('domain_id') and parent.domain_id != domain_id:
                raise common_exc.BadRequest('A project must be in the domain of its parent.')
            domain_id = parent.domain_id
        try:
            self.get_domain(session, domain_id)
        except exceptions.DomainNotFound:
            raise common_exc.BadRequest(f'Domain {domain_id} does not exist.') from None
        project = m.Project(name=attrs['name'], domain_id=domain_id, parent_id=parent_id,
                            description=attrs.get('description') or '',
                            enabled=attrs.get('enabled', True), tags=attrs.get('tags') or [],
                            extra=attrs.get('extra') or {})
        db_api.add(session, project, 'project', attrs['name'])
        events.queue(session, 'project', 'created', project.id)
        return project

    def list_projects(self, session, *, name=None, domain_id=None, enabled=None,
                      parent_id=None, tags=None, tags_any=None, not_tags=None,
                      not_tags_any=None, project_ids=None, limit=None, marker=None):
        where = []
        if name is not None:
            where.append(m.Project.name == name)
        if domain_id is not None:
            where.append(m.Project.domain_id == domain_id)
        if enabled is not None:
            where.append(m.Project.enabled.is_(enabled))
        if parent_id is not None:
            where.append(sa.or_(m.Project.parent_id == parent_id,
                                sa.and_(m.Project.parent_id.is_(None),
                                        m.Project.domain_id == parent_id)))
        if project_ids is not None:
            where.append(m.Project.id.in_(project_ids))
        if not (tags or tags_any or not_tags or not_tags_any):
            return db_api.list_rows(session, m.Project, where=where, limit=limit, marker=marker)
        # Tags are a JSON list, which SQL cannot filter portably: filter here,
        # then page the filtered list.
        matching = [p for p in db_api.list_rows(session, m.Project, where=where)
                    if _tags_match(p.tags or [], tags, tags_any, not_tags, not_tags_any)]
        if marker is not None:
            ids = [p.id for p in matching]
            if marker not in ids:
                raise common_exc.BadRequest(f'Marker {marker} could not be found.')
            matching = matching[ids.index(marker) + 1:]
        return matching[:limit] if limit is not None else matching

    def update_project(self, session, project_id, attrs):
        project = self.get_project(session, project_id)
        if 'domain_id' in attrs and attrs['domain_id'] not in (None, project.domain_id):
            raise common_exc.BadRequest('The domain of a project cannot be changed.')
        if 'parent_id' in attrs and attrs['parent_id'] not in (None, project.parent_id,
                                                                project.domain_id):
            raise common_exc.BadRequest('The parent of a project cannot be changed.')
        if 'name' in attrs:
                project.name = attrs['name']
        if 'description' in attrs:
            project.description = attrs['description'] or ''
        if 'tags' in attrs:
            project.tags = attrs['tags'] or []
        if 'enabled' in attrs and attrs['enabled'] is not None:
            project.enabled = attrs['enabled']
        if attrs.get('extra'):
            project.extra = {**(project.extra or {}), **attrs['extra']}
        db_api.flush_unique(session, 'project', project.name)
        if attrs.get('enabled') is False:
            self._revocations.revoke(session, project_id=project.id)
        events.queue(session, 'project', 'updated', project.id)
        return project

    def delete_project(self, session, project_id):
        project = self.get_project(session, project_id)
        children = db_api.list_rows(session, m.Project, where=[m.Project.parent_id == project.id],
                                    limit=1)
        if children:
            raise exceptions.ProjectHasChildren(project_id=project.id)
        self._delete_project_row(session, project)

    def _delete_project_row(self, session, project):
        db_api.delete_assignments(session, target_id=project.id)
        self._app_credentials.delete_for_project(session, project.id)
        self._revocations.revoke(session, project_id=project.id)
        session.delete(project)
        session.flush()
        events.queue(session, 'project', 'deleted', project.id)


def _tags_match(project_tags, tags, tags_any, not_tags, not_tags_any):
    """Keystone's tag filters: all of / any of / not all of / none of."""
    have = set(project_tags)
    if tags and not set(tags) <= have:
        return False
    if tags_any and not set(tags_any) & have:
        return False
    if not_tags and set(not_tags) <= have:
        return False
    if not_tags_any and set(not_tags_any) & have:
        return False
    return True
