"""Whether a project exists, asked of the identity service before compute records
something for it.

Nova checks the project id of a quota set or of a flavor access change with
Keystone (``GET /v3/projects/{id}`` as the requesting user), so that a typo
does not silently give limits or access to a project that does not exist.
Like Nova it gives the benefit of the doubt when it cannot tell: a user who
may not read that project (403), or an identity service that does not
answer, lets the request through, with a log line.
"""
import logging

from keystoneauth1 import exceptions as ks_exc

from common import clients
from common import exceptions
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)


class ProjectNotFound(exceptions.BadRequest):
    msg_fmt = 'Project ID %(project_id)s is not a valid project.'


class ProjectChecker:
    """Identity lookups made for the user of a request context."""

    def __init__(self, conf):
        self._conf = conf

    def verify(self, ctx, project_id):
        """:raises ProjectNotFound: identity says there is no project ``project_id``."""
        try:
            clients.user_connection(self._conf, ctx).identity.get_project(project_id)
        except sdk_exceptions.NotFound:
            raise ProjectNotFound(project_id=project_id) from None
        except sdk_exceptions.Forbidden:
            LOG.info('User %s may not read project %s; taking it to exist', ctx.user_id,
                     project_id)
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            LOG.warning('Could not ask identity whether project %s exists (%s); taking it '
                        'to exist', project_id, exc)
