"""Bodies of the volume type, extra spec and type access requests (Cinder's)."""
import copy

from volume.api.schemas.common import BOOLEAN, DESCRIPTION, KEY, KEY_VALUES, REQUIRED_NAME

_SPEC_KEY = '^[a-zA-Z0-9-_:.]{1,255}$'
SPECS = {'type': 'object',
         'patternProperties': {_SPEC_KEY: {'type': 'string', 'maxLength': 255}},
         'additionalProperties': False}
# At a type's create a spec may be null (it is then not set).
_SPECS_WITH_NULL = copy.deepcopy(KEY_VALUES)
_SPECS_WITH_NULL['type'] = ['object', 'null']
_SPECS_WITH_NULL['patternProperties'][KEY]['type'] = ['string', 'null']

create = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {
                'name': REQUIRED_NAME,
                'description': DESCRIPTION,
                'extra_specs': _SPECS_WITH_NULL,
                'os-volume-type-access:is_public': BOOLEAN,
            },
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {
                'name': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255},
                'description': DESCRIPTION,
                'is_public': BOOLEAN,
            },
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

extra_specs = {
    'type': 'object',
    'properties': {'extra_specs': SPECS},
    'required': ['extra_specs'],
    'additionalProperties': False,
}

extra_spec_item = {**SPECS, 'minProperties': 1, 'maxProperties': 1}


def _project_access(action):
    return {
        'type': 'object',
        'properties': {action: {
            'type': 'object',
            'properties': {'project': {'type': 'string', 'minLength': 1, 'maxLength': 64}},
            'required': ['project'],
            'additionalProperties': False}},
        'required': [action],
        'additionalProperties': False,
    }


add_project_access = _project_access('addProjectAccess')
remove_project_access = _project_access('removeProjectAccess')
