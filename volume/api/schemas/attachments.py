"""Bodies of the attachments API (3.27+) and of the older attach actions of volumes.

A connector is the attaching host's description of itself (``host``,
``ip``, ``initiator``, ``mountpoint`` …): any object, kept as given.  The
SDK sends ``null`` for the optional members it was not given, so they
accept ``null`` (Cinder's 3.54 schema refuses a ``null`` ``mode``).
"""
from volume.api.schemas.common import action

_UUID = {'type': 'string', 'format': 'uuid'}
_OPTIONAL_UUID = {'type': ['string', 'null'], 'format': 'uuid'}
# ``host`` and ``mountpoint`` are stored in 255-character columns of the attachment.
_CONNECTOR_TEXT = {'type': ['string', 'null'], 'maxLength': 255}
CONNECTOR = {'type': 'object',
             'properties': {'host': _CONNECTOR_TEXT, 'mountpoint': _CONNECTOR_TEXT}}
_MODE = {'type': ['string', 'null'], 'enum': ['rw', 'ro', None]}


def create(at_least):
    """``POST /attachments``; ``mode`` from 3.54."""
    properties = {'volume_uuid': _UUID, 'instance_uuid': _OPTIONAL_UUID,
                  'connector': {**CONNECTOR, 'type': ['object', 'null']}}
    if at_least('3.54'):
        properties['mode'] = _MODE
    return {'type': 'object', 'required': ['attachment'], 'additionalProperties': False,
            'properties': {'attachment': {
                'type': 'object', 'properties': properties, 'required': ['volume_uuid'],
                'additionalProperties': False}}}


update = {
    'type': 'object', 'required': ['attachment'], 'additionalProperties': False,
    'properties': {'attachment': {
        'type': 'object', 'properties': {'connector': CONNECTOR}, 'required': ['connector'],
        'additionalProperties': False}},
}

# ``POST /attachments/{id}/action``: the CLI sends ``{"os-complete": null}``, the SDK
# ``{"os-complete": {}}``.
complete = action('os-complete', {}, allow_null=True)

# The older actions of ``POST /volumes/{id}/action``.
reserve = action('os-reserve', {}, allow_null=True)
unreserve = action('os-unreserve', {}, allow_null=True)
begin_detaching = action('os-begin_detaching', {}, allow_null=True)
roll_detaching = action('os-roll_detaching', {}, allow_null=True)
attach = action('os-attach', {
    'instance_uuid': _OPTIONAL_UUID,
    'host_name': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255},
    'mountpoint': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'mode': _MODE,
}, required=['mountpoint'])
detach = action('os-detach', {'attachment_id': _OPTIONAL_UUID}, allow_null=True)
initialize_connection = action('os-initialize_connection', {'connector': CONNECTOR},
                               required=['connector'])
terminate_connection = action('os-terminate_connection', {'connector': CONNECTOR},
                              required=['connector'])
