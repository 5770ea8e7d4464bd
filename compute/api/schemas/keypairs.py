"""JSON Schemas of key pair requests, per microversion (``type`` at 2.2, ``user_id`` at 2.10)."""
import functools

# Letters, digits, "_- .@", not starting or ending with a space.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': '^(?! )[a-zA-Z0-9. _@-]+(?<! )$'}
PUBLIC_KEY = {'type': 'string', 'minLength': 1}


@functools.cache
def create(with_type, with_user_id):
    properties = {'name': NAME, 'public_key': PUBLIC_KEY}
    if with_type:
        properties['type'] = {'type': 'string', 'enum': ['ssh', 'x509']}
    if with_user_id:
        properties['user_id'] = {'type': 'string', 'minLength': 1, 'maxLength': 64}
    return {'type': 'object', 'required': ['keypair'], 'additionalProperties': False,
            'properties': {'keypair': {'type': 'object', 'required': ['name'],
                                       'additionalProperties': False,
                                       'properties': properties}}}
