"""JSON Schemas of ``os-server-groups`` requests (Nova's, up to 2.63)."""

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?![\s])[^\x00-\x1f\x7f]*(?<![\s])$'}
HARD_POLICIES = ['anti-affinity', 'affinity']
# Soft policies came with 2.15; ``policy``+``rules`` (2.64) is beyond our maximum.
SOFT_POLICIES = ['soft-anti-affinity', 'soft-affinity']


def _create(policies):
    return {'type': 'object', 'required': ['server_group'], 'additionalProperties': False,
            'properties': {'server_group': {
                'type': 'object', 'required': ['name', 'policies'],
                'additionalProperties': False,
                'properties': {'name': NAME, 'policies': {
                    'type': 'array', 'minItems': 1, 'maxItems': 1, 'uniqueItems': True,
                    'items': {'type': 'string', 'enum': policies}}}}}}


create = _create(HARD_POLICIES)
create_v215 = _create(HARD_POLICIES + SOFT_POLICIES)
