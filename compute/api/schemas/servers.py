"""JSON Schemas of server requests, per microversion, as Nova's ``schemas/servers.py``.

A body is checked against the schema of the version the request asked
for: a key that version does not know is refused (``additionalProperties``
false), as Nova refuses it.  Schemas are built once per distinct set of
version features, since ``common.wsgi.validation`` caches a compiled
validator per schema object.
"""
import functools

UUID = {'type': 'string',
        'pattern': '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}'
                   '-?[0-9a-fA-F]{12}$'}
# Printable, not starting or ending with white space (Nova's ``name`` format).
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?![\s])[^\x00-\x1f\x7f]*(?<![\s])$'}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255,
               'pattern': r'^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$'}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO',
                    'No', 'no', 'n', 'f']}
POSITIVE_INTEGER = {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 1,
                    'minLength': 1}
NON_NEGATIVE_INTEGER = {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 0,
                        'minLength': 1}
METADATA_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$'
METADATA = {'type': 'object',
            'patternProperties': {METADATA_KEY: {'type': 'string', 'maxLength': 255}},
            'additionalProperties': False}
# Nova's tag: 1 to 60 characters, no comma and no slash.
TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60, 'pattern': '^[^,/]*$'}
MAX_TAGS = 50
TAGS = {'type': 'array', 'items': TAG, 'maxItems': MAX_TAGS}
ACCESS_IPV4 = {'type': 'string', 'format': 'ipv4'}
ACCESS_IPV6 = {'type': 'string', 'format': 'ipv6'}
DISK_CONFIG = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}
# user_data is base64 text; Nova's limit is on the encoded length.
USER_DATA = {'type': ['string', 'null'], 'maxLength': 65535}
SCHEDULER_HINTS = {
    'type': 'object',
    'properties': {
        'group': UUID,
        'different_host': {'type': ['string', 'array'], 'items': UUID},
        'same_host': {'type': ['string', 'array'], 'items': UUID},
        'query': {'type': ['string', 'object']},
        'target_cell': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'build_near_host_ip': {'type': 'string', 'oneOf': [{'format': 'ipv4'},
                                                           {'format': 'ipv6'}]},
        'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
    },
    'additionalProperties': True,
}


def _bdm_v2(with_tag):
    properties = {
        'virtual_name': {'type': 'string', 'maxLength': 255},
        'volume_id': UUID, 'snapshot_id': UUID, 'image_id': UUID,
        'volume_size': NON_NEGATIVE_INTEGER,
        'device_name': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
                        'pattern': '^[a-zA-Z0-9._/-]*$'},
        'delete_on_termination': BOOLEAN,
        'no_device': {},
        'connection_info': {'type': 'string', 'maxLength': 16777215},
        'source_type': {'type': 'string', 'enum': ['blank', 'image', 'snapshot', 'volume']},
        'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                 'pattern': '^[a-zA-Z0-9._-]*$'},
        'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
        'guest_format': {'type': 'string', 'maxLength': 255},
        'device_type': {'type': 'string', 'maxLength': 255},
        'disk_bus': {'type': 'string', 'maxLength': 255},
        'boot_index': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$'},
    }
    if with_tag:
        properties['tag'] = {'type': 'string', 'minLength': 1, 'maxLength': 60,
                             'pattern': '^[^,/]*$'}
    return {'type': 'object', 'properties': properties, 'additionalProperties': False}


def _networks(with_tag, auto_allocation):
    item = {'type': 'object',
            'properties': {'fixed_ip': {'type': 'string', 'oneOf': [{'format': 'ipv4'},
                                                                     {'format': 'ipv6'}]},
                           'port': {'oneOf': [UUID, {'type': 'null'}]},
                           'uuid': UUID},
            'additionalProperties': False}
    if with_tag:
        item['properties']['tag'] = TAG
    listed = {'type': 'array', 'items': item}
    if not auto_allocation:
        return listed
    return {'oneOf': [listed, {'type': 'string', 'enum': ['none', 'auto']}]}


@functools.lru_cache(maxsize=None)
def create(*, device_tags, auto_allocation, description, tags):
    """The ``POST /servers`` schema.

    :param device_tags: ``tag`` is allowed on networks and BDMs (2.32–2.36, ≥2.42).
    :param auto_allocation: ``networks`` is required and may be "auto"/"none" (≥2.37).
    :param description: ``description`` is allowed (≥2.19).
    :param tags: ``tags`` is allowed (≥2.52).
    """
    server = {
        'name': NAME,
        'imageRef': {'type': 'string', 'maxLength': 255},
        'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
        'adminPass': {'type': 'string'},
        'metadata': METADATA,
        'networks': _networks(device_tags, auto_allocation),
        'OS-DCF:diskConfig': DISK_CONFIG,
        'accessIPv4': ACCESS_IPV4,
        'accessIPv6': ACCESS_IPV6,
        'availability_zone': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'block_device_mapping_v2': {'type': 'array', 'items': _bdm_v2(device_tags)},
        'config_drive': BOOLEAN,
        'key_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'min_count': POSITIVE_INTEGER,
        'max_count': POSITIVE_INTEGER,
        'return_reservation_id': BOOLEAN,
        'security_groups': {'type': 'array', 'items': {
            'type': 'object', 'properties': {'name': {'type': 'string', 'minLength': 1,
                                                      'maxLength': 255}},
            'required': ['name'], 'additionalProperties': False}},
        'user_data': USER_DATA,
    }
    if description:
        server['description'] = DESCRIPTION
    if tags:
        server['tags'] = TAGS
    required = ['name', 'flavorRef'] + (['networks'] if auto_allocation else [])
    return {'type': 'object',
            'properties': {'server': {'type': 'object', 'properties': server,
                                      'required': required, 'additionalProperties': False},
                           'os:scheduler_hints': SCHEDULER_HINTS,
                           'OS-SCH-HNT:scheduler_hints': SCHEDULER_HINTS},
            'required': ['server'], 'additionalProperties': False}


@functools.lru_cache(maxsize=None)
def update(*, description):
    """The ``PUT /servers/{id}`` schema; ``description`` at ≥2.19."""
    server = {'name': NAME, 'accessIPv4': ACCESS_IPV4, 'accessIPv6': ACCESS_IPV6,
              'OS-DCF:diskConfig': DISK_CONFIG}
    if description:
        server['description'] = DESCRIPTION
    return {'type': 'object',
            'properties': {'server': {'type': 'object', 'properties': server,
                                      'additionalProperties': False}},
            'required': ['server'], 'additionalProperties': False}


METADATA_SET = {'type': 'object', 'properties': {'metadata': METADATA},
                'required': ['metadata'], 'additionalProperties': False}
METADATA_ITEM = {'type': 'object',
                 'properties': {'meta': {'type': 'object',
                                         'patternProperties': {METADATA_KEY: {
                                             'type': 'string', 'maxLength': 255}},
                                         'additionalProperties': False,
                                         'minProperties': 1, 'maxProperties': 1}},
                 'required': ['meta'], 'additionalProperties': False}
TAGS_SET = {'type': 'object', 'properties': {'tags': TAGS}, 'required': ['tags'],
            'additionalProperties': False}
TAG_ALONE = {'type': 'object', 'properties': {'tag': TAG}}
