"""JSON Schema of ``PUT /os-quota-sets/{project_id}``, per microversion.

The settable names follow the version: the network ones are gone at 2.36,
the injected-file ones at 2.57, and naming one of those is refused (400).
"""
import functools

from compute.request_values import MAX_INT
LIMIT = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$', 'minimum': -1,
         'maximum': MAX_INT}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO',
                    'No', 'no', 'n', 'f']}


@functools.cache
def update(names):
    """The schema accepting the quota ``names`` (a tuple) and ``force``."""
    properties = {name: LIMIT for name in names}
    properties['force'] = BOOLEAN
    return {'type': 'object', 'required': ['quota_set'], 'additionalProperties': False,
            'properties': {'quota_set': {'type': 'object', 'properties': properties,
                                         'additionalProperties': False}}}
