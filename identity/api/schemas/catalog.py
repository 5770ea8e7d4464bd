from identity.api.schemas import DESCRIPTION, ENABLED, ID, NAME, OPTIONAL_ID, envelope

_REGION = {'description': DESCRIPTION, 'parent_region_id': OPTIONAL_ID,
           'id': {'type': ['string', 'null'], 'maxLength': 255}}
create_region = envelope('region', _REGION)
update_region = envelope('region', {k: v for k, v in _REGION.items() if k != 'id'},
                         min_properties=1)

_SERVICE = {'type': NAME, 'name': {'type': ['string', 'null'], 'maxLength': 255},
            'description': DESCRIPTION, 'enabled': ENABLED}
create_service = envelope('service', _SERVICE, required=['type'])
update_service = envelope('service', _SERVICE, min_properties=1)

INTERFACE = {'type': 'string', 'enum': ['public', 'internal', 'admin']}
URL = {'type': 'string', 'minLength': 1, 'maxLength': 1024,
       'pattern': '^[a-zA-Z0-9+.-]+://'}
_ENDPOINT = {'service_id': ID, 'interface': INTERFACE, 'url': URL, 'enabled': ENABLED,
             'region_id': OPTIONAL_ID, 'region': OPTIONAL_ID}
create_endpoint = envelope('endpoint', _ENDPOINT, required=['service_id', 'interface', 'url'])
update_endpoint = envelope('endpoint', _ENDPOINT, min_properties=1)
