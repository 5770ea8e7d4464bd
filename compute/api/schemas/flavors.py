"""JSON Schemas of flavor requests (flavors, extra specs, access), as Nova's.

Integers may come as numbers or digit strings, as Nova accepts; the API
converts them and checks their range (``compute.api.flavors``).  OSC sends
``"id": null`` and ``"description": null``: nulls mean "not given".
"""
import functools

from compute.request_values import MAX_INT
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?![\s])[^\x00-\x1f\x7f]*(?<![\s])$'}
FLAVOR_ID = {'type': ['string', 'integer', 'null'], 'minLength': 1, 'maxLength': 255,
             'minimum': 0, 'pattern': '^(?! )[a-zA-Z0-9. _-]+(?<! )$'}
INTEGER = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 0,
           'maximum': MAX_INT}
NULLABLE_INTEGER = {**INTEGER, 'type': ['integer', 'string', 'null']}
RXTX_FACTOR = {'type': ['number', 'string', 'null'], 'pattern': r'^[0-9]+(\.[0-9]+)?$',
               'exclusiveMinimum': 0, 'maximum': 3.40282e+38}
BOOLEAN = {'type': ['boolean', 'string', 'null'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO',
                    'No', 'no', 'n', 'f', None]}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 65535,
               'pattern': r'^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$'}
# Below 2.55 a description is unknown to Nova; OSC still sends it as null.
NULL_ONLY = {'type': 'null'}


@functools.cache
def create(with_description):
    return {
        'type': 'object', 'required': ['flavor'], 'additionalProperties': False,
        'properties': {'flavor': {
            'type': 'object', 'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
            'properties': {
                'name': NAME, 'id': FLAVOR_ID, 'ram': INTEGER, 'vcpus': INTEGER,
                'disk': INTEGER, 'OS-FLV-EXT-DATA:ephemeral': NULLABLE_INTEGER,
                'swap': NULLABLE_INTEGER, 'rxtx_factor': RXTX_FACTOR,
                'os-flavor-access:is_public': BOOLEAN,
                'description': DESCRIPTION if with_description else NULL_ONLY,
            }}},
    }


update = {
    'type': 'object', 'required': ['flavor'], 'additionalProperties': False,
    'properties': {'flavor': {'type': 'object', 'required': ['description'],
                              'additionalProperties': False,
                              'properties': {'description': DESCRIPTION}}},
}

SPEC_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$'
SPEC_VALUE = {'type': ['string', 'number', 'boolean'], 'minLength': 0, 'maxLength': 255}
extra_specs = {
    'type': 'object', 'required': ['extra_specs'], 'additionalProperties': False,
    'properties': {'extra_specs': {'type': 'object',
                                   'patternProperties': {SPEC_KEY: SPEC_VALUE},
                                   'additionalProperties': False}},
}
extra_spec = {'type': 'object', 'patternProperties': {SPEC_KEY: SPEC_VALUE},
              'additionalProperties': False}

_TENANT = {'type': 'object', 'required': ['tenant'], 'additionalProperties': False,
           'properties': {'tenant': {'type': 'string', 'minLength': 1, 'maxLength': 255}}}
add_tenant_access = {'type': 'object', 'required': ['addTenantAccess'],
                     'additionalProperties': False, 'properties': {'addTenantAccess': _TENANT}}
remove_tenant_access = {'type': 'object', 'required': ['removeTenantAccess'],
                        'additionalProperties': False,
                        'properties': {'removeTenantAccess': _TENANT}}
