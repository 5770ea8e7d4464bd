"""Bodies of ``POST``/``PUT /volumes`` and of volume metadata, per microversion (Cinder's).

Below 3.53 a create may carry keys Cinder does not know (they are
ignored) and an update may be empty; from 3.53 both are strict.
"""
import copy

from volume.api.schemas.common import (DESCRIPTION, KEY_VALUES, NAME, NULLABLE_KEY_VALUES,
                                       OPTIONAL_BOOLEAN, OPTIONAL_UUID, SIZE)

_SIZE_OR_NULL = {**SIZE, 'type': ['integer', 'string', 'null']}
_IMAGE = {'type': ['string', 'null'], 'maxLength': 255}

create = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'name': NAME,
                'description': DESCRIPTION,
                'display_name': NAME,
                'display_description': DESCRIPTION,
                'volume_type': {'type': ['string', 'null'], 'maxLength': 255},
                'metadata': NULLABLE_KEY_VALUES,
                'snapshot_id': OPTIONAL_UUID,
                'source_volid': OPTIONAL_UUID,
                'consistencygroup_id': OPTIONAL_UUID,
                'size': _SIZE_OR_NULL,
                'availability_zone': {'type': ['string', 'null'], 'minLength': 1,
                                      'maxLength': 255},
                'multiattach': OPTIONAL_BOOLEAN,
                'image_id': _IMAGE,
                'imageRef': _IMAGE,
            },
            'additionalProperties': True,
        },
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']},
    },
    'required': ['volume'],
    'additionalProperties': False,
}

create_v313 = copy.deepcopy(create)
create_v313['properties']['volume']['properties']['group_id'] = {
    'type': ['string', 'null'], 'maxLength': 255}
create_v347 = copy.deepcopy(create_v313)
create_v347['properties']['volume']['properties']['backup_id'] = OPTIONAL_UUID
create_v353 = copy.deepcopy(create_v347)
create_v353['properties']['volume']['additionalProperties'] = False

update = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'name': NAME,
                'description': DESCRIPTION,
                'display_name': NAME,
                'display_description': DESCRIPTION,
                'metadata': KEY_VALUES,
            },
            'additionalProperties': False,
        },
    },
    'required': ['volume'],
    'additionalProperties': False,
}
update_v353 = copy.deepcopy(update)
update_v353['properties']['volume']['anyOf'] = [
    {'required': [key]} for key in ('name', 'description', 'display_name',
                                    'display_description', 'metadata')]

metadata = {
    'type': 'object',
    'properties': {'metadata': KEY_VALUES},
    'required': ['metadata'],
    'additionalProperties': False,
}

metadata_item = {
    'type': 'object',
    'properties': {'meta': {**KEY_VALUES, 'minProperties': 1}},
    'required': ['meta'],
    'additionalProperties': False,
}


def create_schema(at_least):
    if at_least('3.53'):
        return create_v353
    if at_least('3.47'):
        return create_v347
    if at_least('3.13'):
        return create_v313
    return create


def update_schema(at_least):
    return update_v353 if at_least('3.53') else update
