"""Bodies of ``PUT /os-services/{enable|disable|disable-log-reason}`` (Cinder's).

A service is named by ``host`` and ``binary`` (or the older ``service``).
"""
import copy

_HOST = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
         'pattern': '^[a-zA-Z0-9-._#@:/+]*$'}

enable_and_disable = {
    'type': 'object',
    'properties': {
        'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'host': _HOST,
        'cluster': {'type': ['string', 'null'], 'maxLength': 255},
        'service': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    },
    'anyOf': [{'required': ['binary']}, {'required': ['service']}],
    'additionalProperties': False,
}

disable_log_reason = copy.deepcopy(enable_and_disable)
disable_log_reason['properties']['disabled_reason'] = {
    'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': r'\S'}
