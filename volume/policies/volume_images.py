"""Policy of copying volumes into images (os-volume_upload_image), as Cinder's
``volume_extension:volume_actions:upload_image`` and ``upload_public``."""
from volume.policies import ADMIN, PROJECT_MEMBER, rule

_ACTION = '/volumes/{volume_id}/action'

RULES = [
    rule('volumes:upload_image', PROJECT_MEMBER,
         'Copy a volume into a new image (os-volume_upload_image).', 'POST', _ACTION),
    rule('volumes:upload_public', ADMIN,
         'Copy a volume into a new public image (visibility public).', 'POST', _ACTION),
]
