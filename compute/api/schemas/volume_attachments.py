"""JSON Schemas of ``POST /servers/{id}/os-volume_attachments``, per microversion.

As Nova's: ``tag`` from 2.49, ``delete_on_termination`` from 2.79; a key
the request's version does not know is refused.
"""
import functools

from compute.api.schemas.servers import BOOLEAN, TAG, UUID

# Nova's pattern (``match_device`` of ``nova/block_device.py``): /dev/vdb, /dev/xvdc ...
DEVICE = {'type': ['string', 'null'],
          'pattern': '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'}


@functools.cache
def create(with_tag, with_delete_on_termination):
    properties = {'volumeId': UUID, 'device': DEVICE}
    if with_tag:
        properties['tag'] = TAG
    if with_delete_on_termination:
        properties['delete_on_termination'] = BOOLEAN
    return {'type': 'object',
            'properties': {'volumeAttachment': {'type': 'object', 'properties': properties,
                                                'required': ['volumeId'],
                                                'additionalProperties': False}},
            'required': ['volumeAttachment'], 'additionalProperties': False}
