"""JSON Schemas of identity request bodies, one module per resource.

Optional keys accept ``null`` (clients send ``"description": null``);
unknown keys are refused where Keystone refuses them and kept where it
keeps them (users and projects take extra attributes such as ``email``).
"""
# At least one non-blank character: a name of spaces is no name.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': r'\S'}
ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}
OPTIONAL_ID = {'type': ['string', 'null'], 'maxLength': 64}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 65535}
ENABLED = {'type': 'boolean'}
TAGS = {'type': ['array', 'null'], 'maxItems': 80, 'uniqueItems': True,
        'items': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                  'pattern': '^[^,/]*$'}}
OPTIONS = {'type': ['object', 'null']}


def envelope(key, properties, required=(), additional=False, min_properties=0):
    """``{"<key>": {...}}`` with the given inner object schema."""
    inner = {'type': 'object', 'properties': properties,
             'additionalProperties': additional}
    if required:
        inner['required'] = list(required)
    if min_properties:
        inner['minProperties'] = min_properties
    return {'type': 'object', 'properties': {key: inner}, 'required': [key]}
