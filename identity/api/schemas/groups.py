from identity.api.schemas import DESCRIPTION, NAME, OPTIONAL_ID, envelope

_PROPERTIES = {'name': NAME, 'domain_id': OPTIONAL_ID, 'description': DESCRIPTION}

create = envelope('group', _PROPERTIES, required=['name'])
update = envelope('group', _PROPERTIES, min_properties=1)
