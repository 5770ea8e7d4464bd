"""Policy of attachments and of the older attach actions of volumes (Cinder's Secure RBAC
defaults: members of the volume's project attach it, readers see its attachments)."""
from volume.policies import PROJECT_MEMBER, PROJECT_READER, rule

_ATTACHMENTS = '/attachments'
_ATTACHMENT = '/attachments/{attachment_id}'
_ACTION = '/volumes/{volume_id}/action'

RULES = [
    rule('attachments:create', PROJECT_MEMBER, 'Reserve a volume for a server (3.27).',
         'POST', _ATTACHMENTS),
    rule('attachments:get', PROJECT_READER, 'Show an attachment (3.27).', 'GET', _ATTACHMENT),
    rule('attachments:get_all', PROJECT_READER,
         'List attachments (a cloud admin: with all_tenants, every project\'s).', 'GET',
         _ATTACHMENTS + '/detail'),
    rule('attachments:update', PROJECT_MEMBER,
         'Give an attachment its host\'s connector and get its connection_info (3.27).', 'PUT',
         _ATTACHMENT),
    rule('attachments:complete', PROJECT_MEMBER,
         'Mark an attachment attached (os-complete, 3.44).', 'POST', _ATTACHMENT + '/action'),
    rule('attachments:delete', PROJECT_MEMBER, 'Detach: delete an attachment (3.27).',
         'DELETE', _ATTACHMENT),
    rule('volumes:reserve', PROJECT_MEMBER, 'Mark a volume attaching (os-reserve).', 'POST',
         _ACTION),
    rule('volumes:unreserve', PROJECT_MEMBER, 'Undo os-reserve (os-unreserve).', 'POST',
         _ACTION),
    rule('volumes:begin_detaching', PROJECT_MEMBER,
         'Mark an in-use volume detaching (os-begin_detaching).', 'POST', _ACTION),
    rule('volumes:roll_detaching', PROJECT_MEMBER,
         'Undo os-begin_detaching (os-roll_detaching).', 'POST', _ACTION),
    rule('volumes:attach', PROJECT_MEMBER,
         'Record a volume attached to a server or host (os-attach).', 'POST', _ACTION),
    rule('volumes:detach', PROJECT_MEMBER, 'Record a volume detached (os-detach).', 'POST',
         _ACTION),
    rule('volumes:initialize_connection', PROJECT_MEMBER,
         'Get the connection_info of a volume for a connector (os-initialize_connection).',
         'POST', _ACTION),
    rule('volumes:terminate_connection', PROJECT_MEMBER,
         'Undo os-initialize_connection (os-terminate_connection).', 'POST', _ACTION),
]
