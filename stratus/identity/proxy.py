"""``conn.identity``: the Keystone v3 API as ``identity/api/`` implements it.

Arguments named after a resource (``project``, ``user``, ``role`` …) take
either its id or the resource itself; ``find_*`` takes a name or an id.
List methods are generators that follow the server's next links; their
keyword arguments are the API's query filters (``name``, ``domain_id``,
``limit`` …).  ``delete_*`` ignores an already missing resource unless
``ignore_missing=False``.
"""
from stratus import exceptions, proxy
from stratus.proxy import quote, resource_id
from stratus.resource import Resource


def _path(*parts):
    return ''.join(f'/{quote(resource_id(part))}' for part in parts)


class IdentityProxy(proxy.Proxy):
    service_type = 'identity'
    api_version = '3'

    # --- tokens and what the current token reaches -----------------------------------

    def validate_token(self, token, *, nocatalog=False, allow_expired=False):
        """The body of ``token`` (``X-Subject-Token``), as issuance returned it."""
        params = {}
        if nocatalog:
            params['nocatalog'] = ''
        if allow_expired:
            params['allow_expired'] = True
        body = self._json('GET', '/auth/tokens', headers={'X-Subject-Token': token},
                          params=params)
        return Resource(body['token'])

    def check_token(self, token):
        """True when ``token`` is valid (``HEAD /auth/tokens``)."""
        return self._head('/auth/tokens', headers={'X-Subject-Token': token})

    def revoke_token(self, token):
        self.request('DELETE', '/auth/tokens', headers={'X-Subject-Token': token})

    def auth_catalog(self):
        """The service catalog of the current token."""
        return [Resource(entry) for entry in self._json('GET', '/auth/catalog')['catalog']]

    def auth_projects(self):
        """Projects the current user can scope a token to."""
        return self._list('/auth/projects', 'projects')

    def auth_domains(self):
        """Domains the current user can scope a token to."""
        return self._list('/auth/domains', 'domains')

    def auth_system(self):
        """``[{"all": True}]`` when the current user can scope to the system, else ``[]``."""
        return self._json('GET', '/auth/system')['system']

    # --- domains ------------------------------------------------------------------

    def domains(self, **query):
        return self._list('/domains', 'domains', **query)

    def get_domain(self, domain):
        return self._get(_path('domains', domain), 'domain')

    def find_domain(self, name_or_id, *, ignore_missing=False):
        return self._find('/domains', 'domain', name_or_id, ignore_missing=ignore_missing)

    def create_domain(self, **attrs):
        return self._create('/domains', 'domain', attrs)

    def update_domain(self, domain, **attrs):
        return self._update(_path('domains', domain), 'domain', attrs)

    def delete_domain(self, domain, *, ignore_missing=True):
        """Delete a domain; Keystone refuses an enabled one: disable it first."""
        self._delete(_path('domains', domain), ignore_missing)

    # --- projects -----------------------------------------------------------------

    def projects(self, **query):
        return self._list('/projects', 'projects', **query)

    def get_project(self, project):
        return self._get(_path('projects', project), 'project')

    def find_project(self, name_or_id, *, domain_id=None, ignore_missing=False):
        return self._find('/projects', 'project', name_or_id, ignore_missing=ignore_missing,
                          domain_id=domain_id)

    def create_project(self, **attrs):
        return self._create('/projects', 'project', attrs)

    def update_project(self, project, **attrs):
        return self._update(_path('projects', project), 'project', attrs)

    def delete_project(self, project, *, ignore_missing=True):
        self._delete(_path('projects', project), ignore_missing)

    # --- users --------------------------------------------------------------------

    def users(self, **query):
        return self._list('/users', 'users', **query)

    def get_user(self, user):
        return self._get(_path('users', user), 'user')

    def find_user(self, name_or_id, *, domain_id=None, ignore_missing=False):
        return self._find('/users', 'user', name_or_id, ignore_missing=ignore_missing,
                          domain_id=domain_id)

    def create_user(self, **attrs):
        """Create a user; ``password`` is sent but never returned."""
        return self._create('/users', 'user', attrs)

    def update_user(self, user, **attrs):
        return self._update(_path('users', user), 'user', attrs)

    def delete_user(self, user, *, ignore_missing=True):
        self._delete(_path('users', user), ignore_missing)

    def change_password(self, user, *, original_password, password):
        """A user changes their own password (tokens issued before stop working)."""
        self.request('POST', _path('users', user, 'password'), json={'user': {
            'original_password': original_password, 'password': password}})

    def user_projects(self, user, **query):
        """Projects on which ``user`` has a role."""
        return self._list(_path('users', user, 'projects'), 'projects', **query)

    def user_groups(self, user):
        return self._list(_path('users', user, 'groups'), 'groups')

    # --- groups and membership --------------------------------------------------------

    def groups(self, **query):
        return self._list('/groups', 'groups', **query)

    def get_group(self, group):
        return self._get(_path('groups', group), 'group')

    def find_group(self, name_or_id, *, domain_id=None, ignore_missing=False):
        return self._find('/groups', 'group', name_or_id, ignore_missing=ignore_missing,
                          domain_id=domain_id)

    def create_group(self, **attrs):
        return self._create('/groups', 'group', attrs)

    def update_group(self, group, **attrs):
        return self._update(_path('groups', group), 'group', attrs)

    def delete_group(self, group, *, ignore_missing=True):
        self._delete(_path('groups', group), ignore_missing)

    def group_users(self, group):
        return self._list(_path('groups', group, 'users'), 'users')

    def add_user_to_group(self, user, group):
        self.request('PUT', _path('groups', group, 'users', user))

    def remove_user_from_group(self, user, group):
        self.request('DELETE', _path('groups', group, 'users', user))

    def is_user_in_group(self, user, group):
        return self._head(_path('groups', group, 'users', user))

    # --- roles and role implications --------------------------------------------------

    def roles(self, **query):
        return self._list('/roles', 'roles', **query)

    def get_role(self, role):
        return self._get(_path('roles', role), 'role')

    def find_role(self, name_or_id, *, ignore_missing=False):
        return self._find('/roles', 'role', name_or_id, ignore_missing=ignore_missing)

    def create_role(self, **attrs):
        return self._create('/roles', 'role', attrs)

    def update_role(self, role, **attrs):
        return self._update(_path('roles', role), 'role', attrs)

    def delete_role(self, role, *, ignore_missing=True):
        self._delete(_path('roles', role), ignore_missing)

    def implied_roles(self, prior_role):
        """The roles ``prior_role`` directly implies."""
        body = self._json('GET', _path('roles', prior_role, 'implies'))
        return [Resource(role) for role in body['role_inference']['implies']]

    def add_implied_role(self, prior_role, implied_role):
        self.request('PUT', _path('roles', prior_role, 'implies', implied_role))

    def remove_implied_role(self, prior_role, implied_role):
        self.request('DELETE', _path('roles', prior_role, 'implies', implied_role))

    def role_inferences(self):
        """Every implication rule: ``[{prior_role, implies: [...]}]``."""
        body = self._json('GET', '/role_inferences')
        return [Resource(rule) for rule in body['role_inferences']]

    # --- grants: a role for a user or group on a project, a domain or the system ------

    @staticmethod
    def _grant_path(user, group, project, domain, system):
        actors = [('users', user)] if user is not None else []
        actors += [('groups', group)] if group is not None else []
        targets = [('projects', project)] if project is not None else []
        targets += [('domains', domain)] if domain is not None else []
        if len(actors) != 1:
            raise TypeError('Give exactly one of user or group.')
        if len(targets) + bool(system) != 1:
            raise TypeError('Give exactly one of project, domain or system.')
        target = _path('system') if system else _path(*targets[0])
        return target + _path(*actors[0], 'roles')

    def grant_role(self, role, *, user=None, group=None, project=None, domain=None,
                   system=False):
        """Give ``role`` to a user or group on a project, a domain or the system."""
        self.request('PUT', self._grant_path(user, group, project, domain, system)
                     + _path(role))

    def revoke_role(self, role, *, user=None, group=None, project=None, domain=None,
                    system=False):
        self.request('DELETE', self._grant_path(user, group, project, domain, system)
                     + _path(role))

    def has_role(self, role, *, user=None, group=None, project=None, domain=None,
                 system=False):
        """True when the grant exists (directly, not through a group or implication)."""
        return self._head(self._grant_path(user, group, project, domain, system) + _path(role))

    def granted_roles(self, *, user=None, group=None, project=None, domain=None, system=False):
        """The roles granted directly to a user or group on one target."""
        return self._list(self._grant_path(user, group, project, domain, system), 'roles')

    def role_assignments(self, *, user=None, group=None, role=None, project=None, domain=None,
                         system=False, effective=False, include_names=False, **query):
        """``GET /role_assignments`` with its filters given as resources or ids.

        :param effective: expand group memberships and role implications.
        :param include_names: add ``name`` (and ``domain``) next to each id.
        """
        filters = {'user.id': user, 'group.id': group, 'role.id': role,
                   'scope.project.id': project, 'scope.domain.id': domain}
        query.update({k: resource_id(v) for k, v in filters.items() if v is not None})
        if system:
            query['scope.system'] = 'all'
        if effective:
            query['effective'] = True
        if include_names:
            query['include_names'] = True
        return self._list('/role_assignments', 'role_assignments', **query)

    # --- catalog: regions, services, endpoints ---------------------------------------

    def regions(self, **query):
        return self._list('/regions', 'regions', **query)

    def get_region(self, region):
        return self._get(_path('regions', region), 'region')

    def create_region(self, id=None, **attrs):
        """Create a region, with the given ``id`` (``RegionTwo``) or a generated one."""
        if id is None:
            return self._create('/regions', 'region', attrs)
        return self._create(_path('regions', id), 'region', attrs, method='PUT')

    def update_region(self, region, **attrs):
        return self._update(_path('regions', region), 'region', attrs)

    def delete_region(self, region, *, ignore_missing=True):
        self._delete(_path('regions', region), ignore_missing)

    def services(self, **query):
        """Services; filter with ``type=`` or ``name=``."""
        return self._list('/services', 'services', **query)

    def get_service(self, service):
        return self._get(_path('services', service), 'service')

    def find_service(self, name_or_id, *, ignore_missing=False):
        return self._find('/services', 'service', name_or_id, ignore_missing=ignore_missing)

    def create_service(self, **attrs):
        return self._create('/services', 'service', attrs)

    def update_service(self, service, **attrs):
        return self._update(_path('services', service), 'service', attrs)

    def delete_service(self, service, *, ignore_missing=True):
        self._delete(_path('services', service), ignore_missing)

    def endpoints(self, *, service=None, **query):
        """Endpoints; filter with ``service``, ``interface=``, ``region_id=``."""
        if service is not None:
            query['service_id'] = resource_id(service)
        return self._list('/endpoints', 'endpoints', **query)

    def get_endpoint(self, endpoint):
        return self._get(_path('endpoints', endpoint), 'endpoint')

    def create_endpoint(self, **attrs):
        """Create an endpoint: ``service_id``, ``interface``, ``url``, ``region_id``."""
        return self._create('/endpoints', 'endpoint', attrs)

    def update_endpoint(self, endpoint, **attrs):
        return self._update(_path('endpoints', endpoint), 'endpoint', attrs)

    def delete_endpoint(self, endpoint, *, ignore_missing=True):
        self._delete(_path('endpoints', endpoint), ignore_missing)

    # --- application credentials (of the current user unless ``user`` is given) ------

    def _credentials_path(self, user):
        if user is None:
            with exceptions.translated():
                user = self.adapter.get_user_id()
        return _path('users', user, 'application_credentials')

    def application_credentials(self, *, user=None, **query):
        return self._list(self._credentials_path(user), 'application_credentials', **query)

    def get_application_credential(self, credential, *, user=None):
        return self._get(self._credentials_path(user) + _path(credential),
                         'application_credential')

    def find_application_credential(self, name_or_id, *, user=None, ignore_missing=False):
        return self._find(self._credentials_path(user), 'application_credential', name_or_id,
                          ignore_missing=ignore_missing)

    def create_application_credential(self, *, user=None, **attrs):
        """Create a credential for the current project; the result alone holds ``secret``.

        ``roles`` is a list of ``{"name": …}`` or ``{"id": …}`` (default: all
        the roles of the current token).
        """
        return self._create(self._credentials_path(user), 'application_credential', attrs)

    def delete_application_credential(self, credential, *, user=None, ignore_missing=True):
        self._delete(self._credentials_path(user) + _path(credential), ignore_missing)
