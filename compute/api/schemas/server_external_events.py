"""JSON Schemas of ``POST /os-server-external-events`` (Nova's
``schemas/server_external_events.py``): the event names grow with microversions."""

EVENT_NAMES = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged',
               'network-vif-deleted']
EVENT_NAMES_V251 = EVENT_NAMES + ['volume-extended']
EVENT_STATUSES = ['failed', 'completed', 'in-progress']


def _create(names):
    return {
        'type': 'object', 'required': ['events'], 'additionalProperties': False,
        'properties': {'events': {
            'type': 'array', 'minItems': 1,
            'items': {
                'type': 'object', 'required': ['server_uuid', 'name'],
                'additionalProperties': False,
                'properties': {
                    'server_uuid': {'type': 'string', 'format': 'uuid'},
                    'name': {'type': 'string', 'enum': names},
                    'status': {'type': 'string', 'enum': EVENT_STATUSES},
                    'tag': {'type': 'string', 'maxLength': 255}}}}}}


create = _create(EVENT_NAMES)
# 2.51: volume-extended (the volume service tells that an attached volume grew).
create_v251 = _create(EVENT_NAMES_V251)
