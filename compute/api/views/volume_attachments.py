"""The ``volumeAttachment`` view of a server's volume, as Nova shows it per microversion.

``tag`` from 2.70 and ``delete_on_termination`` from 2.79 (both beyond
``compute.api.microversion.MAX_VERSION`` today).  Nova's 2.89 fields
(``attachment_id``, ``bdm_uuid`` instead of ``id``) are not served: block
device mappings have no uuid here yet.
"""
from compute.api import microversion


def attachment(bdm):
    """:param bdm: a ``BlockDeviceMapping`` row with a ``volume_id``."""
    body = {'id': bdm.volume_id, 'volumeId': bdm.volume_id, 'serverId': bdm.instance_uuid}
    if bdm.device_name:
        body['device'] = bdm.device_name
    if microversion.at_least('2.70'):
        body['tag'] = bdm.tag
    if microversion.at_least('2.79'):
        body['delete_on_termination'] = bool(bdm.delete_on_termination)
    return body


def created(instance_uuid, volume_id, device, tag, delete_on_termination):
    """The answer of an attach (Nova's, which names the device it reserved)."""
    body = {'id': volume_id, 'serverId': instance_uuid, 'volumeId': volume_id,
            'device': device}
    if microversion.at_least('2.70'):
        body['tag'] = tag
    if microversion.at_least('2.79'):
        body['delete_on_termination'] = delete_on_termination
    return body
