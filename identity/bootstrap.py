"""Seeding a new cloud: the default domain, roles, the admin and the identity endpoints.

Both functions are idempotent: they create what is missing and leave what
exists, except that a user's password is reset to the given one when it
differs (so re-running stack.sh with a new password works).
"""
import dataclasses

from identity import passwords
from identity.db import api as db_api
from identity.db import models as m

DEFAULT_DOMAIN_ID = 'default'
DEFAULT_DOMAIN_NAME = 'Default'
# Secure RBAC personas: admin ⇒ member ⇒ reader; service stands alone.
ROLE_IMPLICATIONS = (('admin', 'member'), ('member', 'reader'))
DEFAULT_ROLES = ('admin', 'member', 'reader', 'service')


@dataclasses.dataclass
class BootstrapRequest:
    username: str
    password: str
    project_name: str = 'admin'
    role_name: str = 'admin'
    service_name: str = 'keystone'
    region_id: str = 'RegionOne'
    public_url: str | None = None
    internal_url: str | None = None
    admin_url: str | None = None


def _ensure_domain(session, backend, name=DEFAULT_DOMAIN_NAME):
    domain = db_api.find_by_name(session, m.Domain, name)
    if domain is None:
        domain_id = DEFAULT_DOMAIN_ID if name == DEFAULT_DOMAIN_NAME else None
        domain = backend.resource.create_domain(session, {'id': domain_id, 'name': name})
    return domain


def _ensure_role(session, backend, name):
    return db_api.find_by_name(session, m.Role, name) or \
        backend.assignment.create_role(session, {'name': name})


def _ensure_project(session, backend, name, domain):
    return db_api.find_by_name(session, m.Project, name, domain.id) or \
        backend.resource.create_project(session, {'name': name, 'domain_id': domain.id})


def _ensure_user(session, backend, name, password, domain, project):
    user = db_api.find_by_name(session, m.User, name, domain.id)
    if user is None:
        return backend.users.create_user(session, {
            'name': name, 'password': password, 'domain_id': domain.id,
            'default_project_id': project.id})
    changes = {}
    if not passwords.check_password(password, user.password_hash):
        changes['password'] = password
    if not user.enabled:
        changes['enabled'] = True
    if changes:
        backend.users.update_user(session, user.id, changes)
    return user


def _ensure_endpoint(session, backend, service, interface, url, region_id):
    existing = backend.catalog.list_endpoints(session, service_id=service.id,
                                              interface=interface, region_id=region_id)
    if not existing:
        backend.catalog.create_endpoint(session, {'service_id': service.id, 'url': url,
                                                  'interface': interface,
                                                  'region_id': region_id})
    elif existing[0].url != url:
        backend.catalog.update_endpoint(session, existing[0].id, {'url': url})


def bootstrap(session, backend, request):
    domain = _ensure_domain(session, backend)
    roles = {name: _ensure_role(session, backend, name)
             for name in dict.fromkeys(DEFAULT_ROLES + (request.role_name,))}
    session.flush()
    for prior, implied in ROLE_IMPLICATIONS:
        backend.assignment.create_implied_role(session, roles[prior].id, roles[implied].id)
    project = _ensure_project(session, backend, request.project_name, domain)
    user = _ensure_user(session, backend, request.username, request.password, domain, project)
    admin_role = roles[request.role_name]
    backend.assignment.create_grant(session, admin_role.id, user.id, False, 'project', project.id)
    backend.assignment.create_grant(session, admin_role.id, user.id, False, 'system',
                                    m.SYSTEM_TARGET)
    if session.get(m.Region, request.region_id) is None:
        backend.catalog.create_region(session, {}, region_id=request.region_id)
    urls = {'public': request.public_url, 'internal': request.internal_url,
            'admin': request.admin_url}
    if any(urls.values()):
        services = backend.catalog.list_services(session, service_type='identity')
        service = services[0] if services else backend.catalog.create_service(
            session, {'type': 'identity', 'name': request.service_name})
        for interface, url in urls.items():
            if url:
                _ensure_endpoint(session, backend, service, interface, url, request.region_id)


def ensure_user(session, backend, *, name, password, project_name, role_names,
                domain_name=DEFAULT_DOMAIN_NAME):
    """A user with ``password`` holding ``role_names`` on ``project_name``."""
    domain = _ensure_domain(session, backend, domain_name)
    project = _ensure_project(session, backend, project_name, domain)
    user = _ensure_user(session, backend, name, password, domain, project)
    for role_name in role_names:
        role = _ensure_role(session, backend, role_name)
        backend.assignment.create_grant(session, role.id, user.id, False, 'project', project.id)
