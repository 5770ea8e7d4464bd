"""The request context: who is calling, in which scope, for which request.

oslo.context's ``RequestContext`` already carries what keystonemiddleware
puts in the WSGI environment (user, project, domain, system scope, roles,
service token roles, request ids) and knows how to present it to
oslo.policy; Stratus only adds helpers.
"""
from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):

    @classmethod
    def for_request(cls, request_id, global_request_id=None):
        """An anonymous context that makes the request ids visible to logs."""
        return cls(request_id=request_id, global_request_id=global_request_id,
                   is_admin=False, is_admin_project=False, overwrite=True)

    @classmethod
    def admin(cls, request_id=None):
        """A context for work a service does on its own behalf (start-up, tasks)."""
        kwargs = {'request_id': request_id} if request_id else {}
        return cls(is_admin=True, roles=['admin'], overwrite=False, **kwargs)
