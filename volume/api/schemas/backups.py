"""Bodies of the backup requests (Cinder's ``backups`` schemas)."""
from volume.api.schemas.common import (DESCRIPTION, NAME, NULLABLE_KEY_VALUES, OPTIONAL_BOOLEAN,
                                       OPTIONAL_UUID, action)

create = {
    'type': 'object',
    'properties': {
        'backup': {
            'type': 'object',
            'properties': {
                'volume_id': {'type': 'string', 'minLength': 1, 'maxLength': 36},
                'container': {'type': ['string', 'null'], 'maxLength': 255},
                'name': NAME,
                'description': DESCRIPTION,
                'incremental': OPTIONAL_BOOLEAN,
                'force': OPTIONAL_BOOLEAN,
                'snapshot_id': OPTIONAL_UUID,
                'metadata': NULLABLE_KEY_VALUES,
                'availability_zone': {'type': ['string', 'null'], 'maxLength': 255},
            },
            'required': ['volume_id'],
            'additionalProperties': False,
        },
    },
    'required': ['backup'],
    'additionalProperties': False,
}

restore = {
    'type': 'object',
    'properties': {
        'restore': {
            'type': ['object', 'null'],
            'properties': {'volume_id': OPTIONAL_UUID, 'name': NAME},
            'additionalProperties': False,
        },
    },
    'required': ['restore'],
    'additionalProperties': False,
}

reset_status = action('os-reset_status', {'status': {'type': 'string', 'maxLength': 32}},
                      required=['status'])
force_delete = action('os-force_delete', {}, allow_null=True)
