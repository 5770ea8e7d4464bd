"""Body of ``os-volume_upload_image`` (Cinder's ``volume_upload_image``).

``disk_format`` and ``container_format`` are strings here: the view
refuses the ones this cloud cannot write with Cinder's message.
"""
from volume.api.schemas.common import OPTIONAL_BOOLEAN, REQUIRED_NAME, action

_FORMAT = {'type': ['string', 'null'], 'maxLength': 255}
VISIBILITIES = ('public', 'private', 'shared', 'community')

upload_image = action('os-volume_upload_image', {
    'image_name': REQUIRED_NAME,
    'force': OPTIONAL_BOOLEAN,
    'disk_format': _FORMAT,
    'container_format': _FORMAT,
    'visibility': {'type': ['string', 'null'], 'enum': [*VISIBILITIES, None]},
    'protected': OPTIONAL_BOOLEAN,
}, required=['image_name'])
