"""``POST /v3/auth/tokens``: the shapes keystoneauth and the CLI send."""
_DOMAIN_REF = {'type': 'object', 'properties': {'id': {'type': 'string'},
                                                'name': {'type': 'string'}},
               'anyOf': [{'required': ['id']}, {'required': ['name']}]}
_USER_REF = {'type': 'object', 'properties': {
    'id': {'type': 'string'}, 'name': {'type': 'string'}, 'domain': _DOMAIN_REF,
    'password': {'type': 'string'}}}
_PROJECT_REF = {'type': 'object', 'properties': {
    'id': {'type': 'string'}, 'name': {'type': 'string'}, 'domain': _DOMAIN_REF},
    'anyOf': [{'required': ['id']}, {'required': ['name']}]}

create_token = {
    'type': 'object', 'required': ['auth'],
    'properties': {'auth': {
        'type': 'object', 'required': ['identity'],
        'properties': {
            'identity': {
                'type': 'object', 'required': ['methods'],
                'properties': {
                    'methods': {'type': 'array', 'minItems': 1, 'uniqueItems': True,
                                'items': {'type': 'string'}},
                    'password': {'type': 'object', 'required': ['user'],
                                 'properties': {'user': _USER_REF}},
                    'token': {'type': 'object', 'required': ['id'],
                              'properties': {'id': {'type': 'string'}}},
                    'application_credential': {'type': 'object', 'properties': {
                        'id': {'type': 'string'}, 'name': {'type': 'string'},
                        'secret': {'type': 'string'}, 'user': _USER_REF}},
                },
            },
            'scope': {'oneOf': [
                {'type': 'string', 'enum': ['unscoped']},
                {'type': 'object', 'maxProperties': 1, 'minProperties': 1, 'properties': {
                    'project': _PROJECT_REF, 'domain': _DOMAIN_REF,
                    'system': {'type': 'object', 'required': ['all'],
                               'properties': {'all': {'const': True}}},
                }, 'additionalProperties': False},
            ]},
        },
    }},
}
