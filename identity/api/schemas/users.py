from identity.api.schemas import ENABLED, NAME, OPTIONAL_ID, OPTIONS, envelope

PASSWORD = {'type': ['string', 'null'], 'minLength': 1}
_PROPERTIES = {'name': NAME, 'domain_id': OPTIONAL_ID, 'enabled': ENABLED,
               'default_project_id': OPTIONAL_ID, 'password': PASSWORD, 'options': OPTIONS,
               'id': {'type': 'null'}, 'description': {'type': ['string', 'null']},
               'email': {'type': ['string', 'null']}}

create = envelope('user', _PROPERTIES, required=['name'], additional=True)
update = envelope('user', _PROPERTIES, additional=True, min_properties=1)
change_password = envelope(
    'user', {'password': {'type': 'string', 'minLength': 1},
             'original_password': {'type': 'string'}},
    required=['password', 'original_password'])
