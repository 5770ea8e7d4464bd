"""JSON Schemas of ``os-aggregates`` requests (Nova's ``schemas/aggregates.py``)."""

# Printable, not starting or ending with white space (Nova's ``name`` format).
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?![\s])[^\x00-\x1f\x7f]*(?<![\s])$'}
# Updates accept surrounding spaces and strip them (Nova's 2.0 leniency kept).
NAME_WITH_SPACES = {'type': 'string', 'minLength': 1, 'maxLength': 255,
                    'pattern': r'^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$'}
# A zone name may not hold ':' ("zone:host" is how a server names a host).
ZONE = {'oneOf': [{'type': 'string', 'minLength': 1, 'maxLength': 255,
                   'pattern': r'^(?![\s])[^\x00-\x1f\x7f:]*(?<![\s])$'},
                  {'type': 'null'}]}
# Host names as the services table holds them (underscores allowed, as Nova does).
HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[a-zA-Z0-9-._]*$'}
METADATA_WITH_NULL = {'type': 'object',
                      'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
                          'type': ['string', 'null'], 'maxLength': 255}},
                      'additionalProperties': False}


def _wrapped(key, properties, **extra):
    return {'type': 'object', 'required': [key], 'additionalProperties': False,
            'properties': {key: {'type': 'object', 'properties': properties,
                                 'additionalProperties': False, **extra}}}


create = _wrapped('aggregate', {'name': NAME, 'availability_zone': ZONE},
                  required=['name'])
update = _wrapped('aggregate', {'name': NAME_WITH_SPACES, 'availability_zone': ZONE},
                  anyOf=[{'required': ['name']}, {'required': ['availability_zone']}])
add_host = _wrapped('add_host', {'host': HOST}, required=['host'])
remove_host = _wrapped('remove_host', {'host': HOST}, required=['host'])
set_metadata = _wrapped('set_metadata', {'metadata': METADATA_WITH_NULL},
                        required=['metadata'])

# The body of ``POST /os-aggregates/{id}/action``: exactly one known action.
ACTIONS = {'add_host': add_host, 'remove_host': remove_host, 'set_metadata': set_metadata}
