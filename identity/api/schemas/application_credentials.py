from identity.api.schemas import DESCRIPTION, NAME, envelope

ROLE_REF = {'type': 'object', 'properties': {'id': {'type': 'string'}, 'name': {'type': 'string'},
                                              'domain_id': {'type': ['string', 'null']}},
            'anyOf': [{'required': ['id']}, {'required': ['name']}]}

create = envelope('application_credential', {
    'name': NAME, 'description': DESCRIPTION,
    'secret': {'type': ['string', 'null'], 'minLength': 1},
    'expires_at': {'type': ['string', 'null']},
    'roles': {'type': ['array', 'null'], 'items': ROLE_REF},
    'unrestricted': {'type': ['boolean', 'null']},
    'access_rules': {'type': ['array', 'null'], 'maxItems': 0},
}, required=['name'])
