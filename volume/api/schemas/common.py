"""Building blocks of the request-body schemas (Cinder's ``parameter_types``).

Optional keys accept JSON ``null``: the CLI sends ``"description": null``,
``"metadata": null``, ``"volume_type": null`` … for options not given.
"""
import copy

DB_MAX_INT = 2 ** 31 - 1

NAME = {'type': ['string', 'null'], 'maxLength': 255}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
REQUIRED_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': r'\S'}
OPTIONAL_UUID = {'type': ['string', 'null'], 'format': 'uuid'}
# Cinder's booleans: JSON true/false or the strings oslo's bool_from_string takes.
_BOOLEAN_STRINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y',
                    't', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no', 'n', 'f']
BOOLEAN = {'type': ['boolean', 'string'], 'enum': [True, False, *_BOOLEAN_STRINGS]}
OPTIONAL_BOOLEAN = {'type': ['boolean', 'string', 'null'],
                    'enum': [True, False, None, *_BOOLEAN_STRINGS]}
# A size in GiB: a positive integer, or its decimal text (bounded: JSON Schema
# applies minimum and maximum to numbers only: ``volumes.checked_size`` bounds the text's).
SIZE = {'type': ['integer', 'string'], 'pattern': '^[0-9]{1,10}$', 'minimum': 1,
        'maximum': DB_MAX_INT}
# Metadata and extra specs: keys of letters, digits and "-_:. /", not starting or
# ending with a space (MariaDB's collation would take "a" and "a " for one key),
# string values.
KEY = '^(?! )[a-zA-Z0-9-_:. /]{1,255}(?<! )$'
KEY_VALUES = {
    'type': 'object',
    'patternProperties': {KEY: {'type': 'string', 'maxLength': 255}},
    'additionalProperties': False,
}
NULLABLE_KEY_VALUES = copy.deepcopy(KEY_VALUES)
NULLABLE_KEY_VALUES['type'] = ['object', 'null']


def as_bool(value):
    """A validated ``BOOLEAN`` value as a bool."""
    if isinstance(value, bool):
        return value
    return value.strip().lower() in ('true', '1', 'on', 'yes', 'y', 't')


def action(name, properties, required=(), allow_null=False):
    """The body of ``POST …/action`` ``{"<name>": {properties}}``."""
    inner = {'type': ['object', 'null'] if allow_null else 'object',
             'properties': properties, 'required': list(required),
             'additionalProperties': False}
    return {'type': 'object', 'properties': {name: inner}, 'required': [name],
            'additionalProperties': False}
