"""Policy of the server actions (``POST /servers/{id}/action``).

Nova's rule names, under ``compute:`` instead of ``os_compute_api:``.
A project's members act on its servers; cloud administrators on any
project's.  Only a cloud administrator may unlock a server that a cloud
administrator locked (``unlock_override``), so that an operator's lock
holds against the project.
"""
from compute.policies import ADMIN, PROJECT_MEMBER, rule

_ACTION = '/servers/{server_id}/action'


def _action(name, description):
    return rule(name, PROJECT_MEMBER, description, 'POST', _ACTION)


RULES = [
    _action('servers:start', 'Start a stopped server (os-start).'),
    _action('servers:stop', 'Stop a server (os-stop).'),
    _action('servers:reboot', 'Reboot a server, softly or hard.'),
    _action('servers:rebuild', 'Rebuild a server from an image.'),
    _action('servers:resize', 'Resize a server to another flavor.'),
    _action('servers:confirm_resize', 'Confirm a resize.'),
    _action('servers:revert_resize', 'Revert a resize.'),
    _action('servers:create_image', 'Snapshot a server into an image (createImage).'),
    _action('os-pause-server:pause', 'Pause a server.'),
    _action('os-pause-server:unpause', 'Unpause a server.'),
    _action('os-suspend-server:suspend', 'Suspend a server.'),
    _action('os-suspend-server:resume', 'Resume a suspended server.'),
    _action('os-lock-server:lock', 'Lock a server against changes by non-admins.'),
    _action('os-lock-server:unlock', 'Unlock a server.'),
    rule('os-lock-server:unlock:unlock_override', ADMIN,
         'Unlock a server that a cloud administrator locked.', 'POST', _ACTION),
    _action('os-console-output', 'Read the console log of a server (os-getConsoleOutput).'),
]
