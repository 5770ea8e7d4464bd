"""JSON Schemas of snapshot policy requests (``/v3/{project_id}/snapshot-policies``).

They check shapes only.  What the values mean (a minute of 75, a weekly
schedule given to a daily policy, an unknown time zone) is checked by
``volume.snapshot_schedules.parse``, whose messages name the rule broken.
An update cannot change ``volume_id`` or ``interval_type``.
"""
from volume import snapshot_schedules

SCHEDULE = {'type': 'string', 'pattern': '^[0-9]{1,2}(:[0-9]{1,2}){0,2}$'}
TIMEZONE = {'type': 'string', 'minLength': 1, 'maxLength': 64,
            'pattern': '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$'}
MAX_SNAPS = {'type': 'integer', 'minimum': 1, 'maximum': snapshot_schedules.MAX_SNAPS}
_CHANGEABLE = {'schedule': SCHEDULE, 'timezone': TIMEZONE, 'max_snaps': MAX_SNAPS,
               'enabled': {'type': 'boolean'}}


def _body(policy):
    return {'type': 'object', 'required': ['snapshot_policy'], 'additionalProperties': False,
            'properties': {'snapshot_policy': policy}}


create = _body({
    'type': 'object', 'additionalProperties': False,
    'required': ['volume_id', 'interval_type', 'schedule', 'max_snaps'],
    'properties': {'volume_id': {'type': 'string', 'minLength': 1, 'maxLength': 36},
                   'interval_type': {'type': 'string',
                                     'enum': list(snapshot_schedules.INTERVAL_TYPES)},
                   **_CHANGEABLE}})

update = _body({'type': 'object', 'additionalProperties': False, 'minProperties': 1,
                'properties': _CHANGEABLE})
