"""JSON Schemas of ``os-services`` updates (Nova's ``schemas/services.py``)."""

BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no']}
TRUE_STRINGS = frozenset(('true', '1', 'on', 'yes'))
HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[a-zA-Z0-9-._]*$'}
_TEXT = {'type': 'string', 'minLength': 1, 'maxLength': 255}

# Before 2.53: PUT /os-services/{enable|disable|disable-log-reason|force-down}.
update = {'type': 'object', 'required': ['host', 'binary'], 'additionalProperties': False,
          'properties': {'host': HOST, 'binary': _TEXT, 'disabled_reason': _TEXT}}
update_v211 = {**update, 'properties': {**update['properties'], 'forced_down': BOOLEAN}}
# From 2.53: PUT /os-services/{uuid}; what to change is checked in code.
update_v253 = {'type': 'object', 'additionalProperties': False,
               'properties': {'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
                              'disabled_reason': _TEXT, 'forced_down': BOOLEAN}}


def as_bool(value):
    """A ``BOOLEAN`` value as a bool."""
    return value if isinstance(value, bool) else value.lower() in TRUE_STRINGS
