from identity.api import support


def render_region(region):
    return {'id': region.id, 'description': region.description,
            'parent_region_id': region.parent_region_id,
            'links': support.link(f'regions/{region.id}')}


def render_service(service):
    return {'id': service.id, 'type': service.type, 'name': service.name,
            'description': service.description, 'enabled': service.enabled,
            'links': support.link(f'services/{service.id}')}


def render_endpoint(endpoint):
    return {'id': endpoint.id, 'interface': endpoint.interface,
            'region': endpoint.region_id, 'region_id': endpoint.region_id,
            'service_id': endpoint.service_id, 'url': endpoint.url,
            'enabled': endpoint.enabled, 'links': support.link(f'endpoints/{endpoint.id}')}
