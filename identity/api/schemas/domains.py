from identity.api.schemas import DESCRIPTION, ENABLED, NAME, OPTIONAL_ID, OPTIONS, TAGS, envelope

_PROPERTIES = {'name': NAME, 'description': DESCRIPTION, 'enabled': ENABLED, 'tags': TAGS,
               'options': OPTIONS}

create = envelope('domain', {**_PROPERTIES, 'id': OPTIONAL_ID}, required=['name'])
update = envelope('domain', _PROPERTIES, min_properties=1)
