"""Bodies of the snapshot requests (Cinder's ``snapshots`` schemas)."""
from volume.api.schemas.common import (DESCRIPTION, KEY_VALUES, NAME, NULLABLE_KEY_VALUES,
                                       OPTIONAL_BOOLEAN, action)

create = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {
                'name': NAME,
                'display_name': NAME,
                'description': DESCRIPTION,
                'display_description': DESCRIPTION,
                'volume_id': {'type': 'string', 'minLength': 1, 'maxLength': 36},
                'force': OPTIONAL_BOOLEAN,
                'metadata': NULLABLE_KEY_VALUES,
            },
            'required': ['volume_id'],
            'additionalProperties': False,
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {'name': NAME, 'description': DESCRIPTION, 'display_name': NAME,
                           'display_description': DESCRIPTION},
            'additionalProperties': False,
            'minProperties': 1,
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}

metadata = {'type': 'object', 'properties': {'metadata': KEY_VALUES},
            'required': ['metadata'], 'additionalProperties': False}
metadata_item = {'type': 'object', 'properties': {'meta': KEY_VALUES},
                 'required': ['meta'], 'additionalProperties': False}

reset_status = action('os-reset_status', {'status': {'type': 'string', 'maxLength': 32}},
                      required=['status'])
force_delete = action('os-force_delete', {}, allow_null=True)
