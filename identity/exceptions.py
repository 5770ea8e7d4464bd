"""Errors of the identity service, each in a category of ``common.exceptions``."""
from common import exceptions as exc


class DomainNotFound(exc.NotFound):
    msg_fmt = 'Could not find domain: %(domain_id)s.'


class ProjectNotFound(exc.NotFound):
    msg_fmt = 'Could not find project: %(project_id)s.'


class UserNotFound(exc.NotFound):
    msg_fmt = 'Could not find user: %(user_id)s.'


class GroupNotFound(exc.NotFound):
    msg_fmt = 'Could not find group: %(group_id)s.'


class RoleNotFound(exc.NotFound):
    msg_fmt = 'Could not find role: %(role_id)s.'


class ImpliedRoleNotFound(exc.NotFound):
    msg_fmt = 'Could not find implied role %(implied_role_id)s of role %(prior_role_id)s.'


class RoleAssignmentNotFound(exc.NotFound):
    msg_fmt = 'Could not find role assignment with role: %(role_id)s, %(actor)s, %(target)s.'


class MembershipNotFound(exc.NotFound):
    msg_fmt = 'User %(user_id)s is not a member of group %(group_id)s.'


class RegionNotFound(exc.NotFound):
    msg_fmt = 'Could not find region: %(region_id)s.'


class ServiceNotFound(exc.NotFound):
    msg_fmt = 'Could not find service: %(service_id)s.'


class EndpointNotFound(exc.NotFound):
    msg_fmt = 'Could not find endpoint: %(endpoint_id)s.'


class ApplicationCredentialNotFound(exc.NotFound):
    msg_fmt = 'Could not find application credential: %(application_credential_id)s.'


class TokenNotFound(exc.NotFound):
    msg_fmt = 'Could not find token: %(token_id)s.'


class DuplicateEntry(exc.Conflict):
    msg_fmt = 'Conflict occurred attempting to store %(type)s - Duplicate entry found with name %(name)s.'


class AuthenticationFailed(exc.Unauthorized):
    """Bad credentials: the message never says whether the user exists."""
    msg_fmt = 'The request you have made requires authentication.'


class AuthMethodNotSupported(exc.Unauthorized):
    msg_fmt = 'Attempted to authenticate with an unsupported method.'


class InvalidToken(exc.Unauthorized):
    msg_fmt = 'The request you have made requires authentication.'


class DomainNotDisabled(exc.Forbidden):
    msg_fmt = 'Cannot delete a domain that is enabled, please disable it first.'


class ProjectHasChildren(exc.Forbidden):
    msg_fmt = 'Cannot delete project %(project_id)s: it has child projects.'


class RestrictedApplicationCredential(exc.Forbidden):
    msg_fmt = ('A token obtained with a restricted application credential '
               'cannot manage application credentials.')
