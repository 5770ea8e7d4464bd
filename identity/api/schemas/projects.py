from identity.api.schemas import (DESCRIPTION, ENABLED, NAME, OPTIONAL_ID, OPTIONS, TAGS,
                                  envelope)

_PROPERTIES = {'name': NAME, 'description': DESCRIPTION, 'enabled': ENABLED,
               'domain_id': OPTIONAL_ID, 'parent_id': OPTIONAL_ID, 'is_domain': {'type': 'boolean'},
               'tags': TAGS, 'options': OPTIONS, 'id': {'type': 'null'}}

# Keystone keeps attributes it does not know as "extra" and returns them.
create = envelope('project', _PROPERTIES, required=['name'], additional=True)
update = envelope('project', _PROPERTIES, additional=True, min_properties=1)
