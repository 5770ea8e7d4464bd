"""Regions, services and endpoints, and the service catalog built from them."""
import re

from common import exceptions as common_exc
from common.db.types import new_id
from identity import events
from identity import exceptions
from identity.db import api as db_api
from identity.db import models as m

INTERFACES = ('public', 'internal', 'admin')
# Endpoint URLs may name the token's project, as Cinder's do:
# http://host:8776/v3/$(project_id)s (also %(tenant_id)s and friends).
_URL_VARIABLE = re.compile(r'[$%]\((project_id|tenant_id)\)s')


def substitute_url(url, project_id):
    """The URL with the project filled in, or ``None`` when it needs one and has none."""
    if not _URL_VARIABLE.search(url):
        return url
    if project_id is None:
        return None
    return _URL_VARIABLE.sub(project_id, url)


class CatalogManager:

    # -- regions ---------------------------------------------------------------

    def get_region(self, session, region_id):
        return db_api.get(session, m.Region, region_id,
                          exceptions.RegionNotFound(region_id=region_id))

    def create_region(self, session, attrs, region_id=None):
        region_id = region_id or attrs.get('id') or new_id()
        parent = attrs.get('parent_region_id')
        if parent is not None:
            if parent == region_id:
                raise common_exc.BadRequest('A region cannot be its own parent.')
            if session.get(m.Region, parent) is None:
                raise common_exc.BadRequest(f'Parent region {parent} does not exist.')
        region = m.Region(id=region_id, description=attrs.get('description') or '',
                          parent_region_id=parent)
        if session.get(m.Region, region_id) is not None:
            raise exceptions.DuplicateEntry(type='region', name=region_id)
        db_api.add(session, region, 'region', region_id)
        events.queue(session, 'region', 'created', region.id)
        return region

    def list_regions(self, session, *, parent_region_id=None, limit=None, marker=None):
        where = []
        if parent_region_id is not None:
            where.append(m.Region.parent_region_id == parent_region_id)
        return db_api.list_rows(session, m.Region, where=where, limit=limit, marker=marker)

    def update_region(self, session, region_id, attrs):
        region = self.get_region(session, region_id)
        if 'description' in attrs:
            region.description = attrs['description'] or ''
        if 'parent_region_id' in attrs:
            parent = attrs['parent_region_id']
            if parent is not None:
                ancestor = self.get_region_or_400(session, parent)
                seen = set()
                # "seen" also ends the walk over a loop a concurrent update made.
                while ancestor is not None and ancestor.id not in seen:
                    if ancestor.id == region.id:
                        raise common_exc.BadRequest('Region parents must not form a loop.')
                    seen.add(ancestor.id)
                    ancestor = session.get(m.Region, ancestor.parent_region_id) \
                        if ancestor.parent_region_id else None
            region.parent_region_id = parent
        events.queue(session, 'region', 'updated', region.id)
        return region

    def get_region_or_400(self, session, region_id):
        region = session.get(m.Region, region_id)
        if region is None:
            raise common_exc.BadRequest(f'Region {region_id} does not exist.')
        return region

    def delete_region(self, session, region_id):
        region = self.get_region(session, region_id)
        if db_api.list_rows(session, m.Region, where=[m.Region.parent_region_id == region.id],
                            limit=1):
            raise common_exc.Conflict(f'Region {region.id} has child regions.')
        if db_api.list_rows(session, m.Endpoint, where=[m.Endpoint.region_id == region.id],
                            limit=1):
            raise common_exc.Conflict(f'Region {region.id} still has endpoints.')
        session.delete(region)
        events.queue(session, 'region', 'deleted', region.id)

    # -- services --------------------------------------------------------------

    def get_service(self, session, service_id):
        return db_api.get(session, m.Service, service_id,
                          exceptions.ServiceNotFound(service_id=service_id))

    def create_service(self, session, attrs):
        service = m.Service(type=attrs['type'], name=attrs.get('name') or '',
                            description=attrs.get('description') or '',
                            enabled=attrs.get('enabled', True))
        db_api.add(session, service, 'service', service.name)
        events.queue(session, 'service', 'created', service.id)
        return service

    def list_services(self, session, *, service_type=None, name=None, limit=None, marker=None):
        where = []
        if service_type is not None:
            where.append(m.Service.type == service_type)
        if name is not None:
            where.append(m.Service.name == name)
        return db_api.list_rows(session, m.Service, where=where, limit=limit, marker=marker)

    def update_service(self, session, service_id, attrs):
        service = self.get_service(session, service_id)
        for key in ('type', 'name', 'description', 'enabled'):
            if attrs.get(key) is not None:
                setattr(service, key, attrs[key])
        events.queue(session, 'service', 'updated', service.id)
        return service

    def delete_service(self, session, service_id):
        service = self.get_service(session, service_id)
        for endpoint in db_api.list_rows(session, m.Endpoint,
                                         where=[m.Endpoint.service_id == service.id]):
            session.delete(endpoint)
        session.delete(service)
        events.queue(session, 'service', 'deleted', service.id)

    # -- endpoints -------------------------------------------------------------

    def get_endpoint(self, session, endpoint_id):
        return db_api.get(session, m.Endpoint, endpoint_id,
                          exceptions.EndpointNotFound(endpoint_id=endpoint_id))

    def _check_references(self, session, attrs):
        if attrs.get('service_id') is not None and \
                session.get(m.Service, attrs['service_id']) is None:
            raise common_exc.BadRequest(f"Service {attrs['service_id']} does not exist.")
        region_id = attrs.get('region_id') or attrs.get('region')
        if region_id is not None:
            self.get_region_or_400(session, region_id)
        return region_id

    def create_endpoint(self, session, attrs):
        region_id = self._check_references(session, attrs)
        endpoint = m.Endpoint(service_id=attrs['service_id'], interface=attrs['interface'],
                              url=attrs['url'], region_id=region_id,
                              enabled=attrs.get('enabled', True))
        db_api.add(session, endpoint, 'endpoint', endpoint.url)
        events.queue(session, 'endpoint', 'created', endpoint.id)
        return endpoint

    def list_endpoints(self, session, *, service_id=None, interface=None, region_id=None,
                       limit=None, marker=None):
        where = []
        if service_id is not None:
            where.append(m.Endpoint.service_id == service_id)
        if interface is not None:
            where.append(m.Endpoint.interface == interface)
        if region_id is not None:
            where.append(m.Endpoint.region_id == region_id)
        return db_api.list_rows(session, m.Endpoint, where=where, limit=limit, marker=marker)

    def update_endpoint(self, session, endpoint_id, attrs):
        endpoint = self.get_endpoint(session, endpoint_id)
        region_id = self._check_references(session, attrs)
        for key in ('service_id', 'interface', 'url', 'enabled'):
            if attrs.get(key) is not None:
                setattr(endpoint, key, attrs[key])
        if 'region_id' in attrs or 'region' in attrs:
            endpoint.region_id = region_id
        events.queue(session, 'endpoint', 'updated', endpoint.id)
        return endpoint

    def delete_endpoint(self, session, endpoint_id):
        session.delete(self.get_endpoint(session, endpoint_id))
        events.queue(session, 'endpoint', 'deleted', endpoint_id)

    # -- the catalog -----------------------------------------------------------

    def catalog(self, session, project_id=None):
        """The catalog as tokens carry it, URLs filled in for ``project_id``."""
        services = {}
        for service, endpoint in db_api.catalog_rows(session):
            entry = services.setdefault(service.id, {
                'endpoints': [], 'id': service.id, 'type': service.type,
                'name': service.name})
            url = substitute_url(endpoint.url, project_id)
            if url is None:
                continue
            entry['endpoints'].append({
                'id': endpoint.id, 'interface': endpoint.interface,
                'region': endpoint.region_id, 'region_id': endpoint.region_id,
                'url': url})
        return list(services.values())
