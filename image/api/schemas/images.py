"""The image schema: request validation and ``GET /v2/schemas/image``.

Free properties must be strings, as in Glance.
"""
from image import inspector
from image.images import CONTAINER_FORMATS, MAX_TAGS, READ_ONLY

_ID = {'type': 'string', 'pattern': '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                                    '-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'}
PROPERTIES = {
    'id': {**_ID, 'description': 'An identifier for the image'},
    'name': {'type': ['null', 'string'], 'maxLength': 255},
    'visibility': {'type': 'string', 'enum': ['community', 'public', 'private', 'shared']},
    'protected': {'type': 'boolean'},
    'os_hidden': {'type': 'boolean'},
    'owner': {'type': ['null', 'string'], 'maxLength': 64},  # a project id (column size)
    'disk_format': {'type': ['null', 'string'], 'enum': [None] + list(
        inspector.SUPPORTED_DISK_FORMATS)},
    'container_format': {'type': ['null', 'string'], 'enum': [None] + list(CONTAINER_FORMATS)},
    'min_disk': {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1},
    'min_ram': {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1},
    'tags': {'type': 'array', 'maxItems': MAX_TAGS, 'uniqueItems': True,
             'items': {'type': 'string', 'maxLength': 255}},
    'kernel_id': {'type': ['null', 'string'], 'pattern': _ID['pattern']},
    'ramdisk_id': {'type': ['null', 'string'], 'pattern': _ID['pattern']},
}
READ_ONLY_DOCUMENTED = {
    'status': {'type': 'string', 'readOnly': True},
    'size': {'type': ['null', 'integer'], 'readOnly': True},
    'virtual_size': {'type': ['null', 'integer'], 'readOnly': True},
    'checksum': {'type': ['null', 'string'], 'readOnly': True},
    'os_hash_algo': {'type': ['null', 'string'], 'readOnly': True},
    'os_hash_value': {'type': ['null', 'string'], 'readOnly': True},
    'created_at': {'type': 'string', 'readOnly': True},
    'updated_at': {'type': 'string', 'readOnly': True},
    'self': {'type': 'string', 'readOnly': True},
    'file': {'type': 'string', 'readOnly': True},
    'schema': {'type': 'string', 'readOnly': True},
}
FREE_PROPERTY = {'type': 'string', 'maxLength': 65535}
# Read-only attributes pass the schema with any value, so that the image
# manager answers 403 "read-only" (as Glance does) rather than a 400 about
# the value's type.
_READ_ONLY_ANY = {name: {} for name in READ_ONLY if name not in PROPERTIES}

create = {'type': 'object', 'properties': {**_READ_ONLY_ANY, **PROPERTIES},
          'additionalProperties': FREE_PROPERTY,
          'propertyNames': {'maxLength': 255}}


# One schema per attribute, built once: ``common.wsgi.validation`` caches a
# compiled validator per schema object for the life of the process.
_ATTRIBUTE_SCHEMAS = {
    name: {'type': 'object', 'properties': {name: {} if name in READ_ONLY else PROPERTIES[name]}}
    for name in (*PROPERTIES, *READ_ONLY)}
_FREE_ATTRIBUTE_SCHEMA = {'type': 'object', 'additionalProperties': FREE_PROPERTY}


def attribute_schema(name):
    """A schema checking ``{name: value}`` for one patched attribute."""
    return _ATTRIBUTE_SCHEMAS.get(name, _FREE_ATTRIBUTE_SCHEMA)


def image_document():
    return {'name': 'image', 'properties': {**PROPERTIES, **READ_ONLY_DOCUMENTED},
            'additionalProperties': FREE_PROPERTY,
            'links': [{'rel': 'self', 'href': '{self}'}, {'rel': 'enclosure', 'href': '{file}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


def images_document():
    return {'name': 'images',
            'properties': {'images': {'type': 'array', 'items': image_document()},
                           'schema': {'type': 'string'}, 'first': {'type': 'string'},
                           'next': {'type': 'string'}},
            'links': [{'rel': 'first', 'href': '{first}'}, {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}
