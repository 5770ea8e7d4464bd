"""Policy of ``/servers/{server_id}/os-volume_attachments``: a server's volumes.

Nova's rule names (``os-volumes-attachments:*``) under ``compute:``.  A
project's readers list them, its members attach and detach; whether the
user may see the volume itself is the volume service's decision (compute
asks it as the user).
"""
from compute.policies import PROJECT_MEMBER, PROJECT_READER, rule

_PATH = '/servers/{server_id}/os-volume_attachments'

RULES = [
    rule('os-volumes-attachments:index', PROJECT_READER, "List a server's volume attachments.",
         'GET', _PATH),
    rule('os-volumes-attachments:show', PROJECT_READER, 'Show one volume attachment.',
         'GET', _PATH + '/{volume_id}'),
    rule('os-volumes-attachments:create', PROJECT_MEMBER, 'Attach a volume to a server.',
         'POST', _PATH),
    rule('os-volumes-attachments:delete', PROJECT_MEMBER, 'Detach a volume from a server.',
         'DELETE', _PATH + '/{volume_id}'),
]
