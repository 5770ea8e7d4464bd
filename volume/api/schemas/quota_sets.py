"""Body of ``PUT /os-quota-sets/{project_id}``; which keys exist is the quotas' business."""
update = {
    'type': 'object',
    'properties': {
        'quota_set': {
            'type': 'object',
            'minProperties': 1,
            'additionalProperties': {'type': ['integer', 'string']},
        },
    },
    'required': ['quota_set'],
    'additionalProperties': False,
}
