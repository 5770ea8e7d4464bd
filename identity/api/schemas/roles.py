from identity.api.schemas import DESCRIPTION, NAME, OPTIONAL_ID, OPTIONS, envelope

_PROPERTIES = {'name': NAME, 'description': DESCRIPTION, 'domain_id': OPTIONAL_ID,
               'options': OPTIONS}

create = envelope('role', _PROPERTIES, required=['name'])
update = envelope('role', _PROPERTIES, min_properties=1)
