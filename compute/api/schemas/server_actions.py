"""JSON Schema of the server action bodies (``POST /servers/{id}/action``).

A body names one action by its single key; ``for_action(key)`` gives the
schema of that body at the request's microversion, as Nova's
``schemas/servers.py`` (and the lock, pause, suspend and console-output
controllers) define them up to 2.60.
"""
import copy

from compute.api import microversion

# Printable, no leading or trailing blank (Nova's ``format: name``).
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$'}
METADATA = {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255}},
    'additionalProperties': False,
}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no']}
DISK_CONFIG = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}
UUID = {'type': 'string', 'format': 'uuid'}


def _body(key, value_schema):
    return {'type': 'object', 'properties': {key: value_schema}, 'required': [key],
            'additionalProperties': False}


def _object(properties, required=()):
    return {'type': 'object', 'properties': properties, 'required': list(required),
            'additionalProperties': False}


# Actions whose value Nova does not look at ({"os-stop": null}, {"pause": {}} …).
_ANY_VALUE = ('os-start', 'os-stop', 'pause', 'unpause', 'suspend', 'resume',
              'confirmResize', 'revertResize', 'lock', 'unlock')

reboot = _body('reboot', _object(
    {'type': {'type': 'string', 'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}},
    required=['type']))

resize = _body('resize', _object(
    {'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
     'OS-DCF:diskConfig': DISK_CONFIG},
    required=['flavorRef']))

create_image = _body('createImage', _object({'name': NAME, 'metadata': METADATA},
                                            required=['name']))

get_console_output = _body('os-getConsoleOutput', _object(
    {'length': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$',
                'minimum': -1}}))

rebuild = _body('rebuild', _object(
    {'name': NAME, 'imageRef': UUID, 'adminPass': {'type': 'string'}, 'metadata': METADATA,
     'preserve_ephemeral': BOOLEAN, 'OS-DCF:diskConfig': DISK_CONFIG,
     'accessIPv4': {'type': 'string', 'format': 'ipv4'},
     'accessIPv6': {'type': 'string', 'format': 'ipv6'}},
    required=['imageRef']))
rebuild_v219 = copy.deepcopy(rebuild)
rebuild_v219['properties']['rebuild']['properties']['description'] = {
    'type': ['string', 'null'], 'maxLength': 255, 'pattern': r'^[^\x00-\x1f\x7f]*$'}
rebuild_v254 = copy.deepcopy(rebuild_v219)
rebuild_v254['properties']['rebuild']['properties']['key_name'] = {
    'oneOf': [{'type': 'string', 'minLength': 1, 'maxLength': 255}, {'type': 'null'}]}
rebuild_v257 = copy.deepcopy(rebuild_v254)
# Base64 is checked in code (``servers.checked_user_data``): JSON Schema has no such format.
rebuild_v257['properties']['rebuild']['properties']['user_data'] = {
    'type': ['string', 'null'], 'maxLength': 65535}

_FIXED = {'reboot': reboot, 'resize': resize, 'createImage': create_image,
          'os-getConsoleOutput': get_console_output}
_FIXED.update({key: _body(key, {}) for key in _ANY_VALUE})

ACTIONS = frozenset(_FIXED) | {'rebuild'}


def for_action(key):
    """The schema of a body whose action is ``key`` (one of ``ACTIONS``)."""
    if key != 'rebuild':
        return _FIXED[key]
    if microversion.at_least('2.57'):
        return rebuild_v257
    if microversion.at_least('2.54'):
        return rebuild_v254
    if microversion.at_least('2.19'):
        return rebuild_v219
    return rebuild
