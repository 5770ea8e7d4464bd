"""Policy enforcement with oslo.policy.

Defaults live in code (``<service>/policies.py``); an operator overrides
them in ``policy.yaml``.  Rules follow the Secure RBAC personas: ``admin``
implies ``member`` implies ``reader``, and ``service`` is for calls made by
other services.  A cloud administrator is an ``admin`` in the system scope
or in the cloud's admin project, not an ``admin`` of any project.
"""
import logging

from oslo_policy import policy as oslo_policy

from common import exceptions
from common.wsgi import app as wsgi_app

LOG = logging.getLogger(__name__)

# Building blocks that every service's policies share.
CLOUD_ADMIN = 'role:admin and (system_scope:all or is_admin_project:True)'
SYSTEM_READER = 'role:reader and system_scope:all'
SERVICE = 'role:service'

BASE_RULES = [
    oslo_policy.RuleDefault('cloud_admin', CLOUD_ADMIN,
                            description='An administrator of the whole cloud.'),
    oslo_policy.RuleDefault('cloud_reader', f'rule:cloud_admin or ({SYSTEM_READER})',
                            description='Reads anything in the cloud.'),
    oslo_policy.RuleDefault('service_role', SERVICE,
                            description='Another Stratus service calling on its own behalf.'),
    oslo_policy.RuleDefault('project_reader', 'role:reader and project_id:%(project_id)s',
                            description='Reads what the token\'s project owns.'),
    oslo_policy.RuleDefault('project_member', 'role:member and project_id:%(project_id)s',
                            description='Changes what the token\'s project owns.'),
]


class Enforcer:
    """Checks a request context against the service's rules."""

    def __init__(self, conf, rules):
        self._enforcer = oslo_policy.Enforcer(conf)
        self._enforcer.register_defaults(BASE_RULES)
        self._enforcer.register_defaults(rules)
        self._enforcer.load_rules()

    def check(self, ctx, action, target):
        """True when ``ctx`` may do ``action`` on ``target`` (no exception)."""
        try:
            return self._enforcer.enforce(action, target, ctx, do_raise=False)
        except oslo_policy.InvalidScope:
            return False

    def authorize(self, ctx, action, target):
        """Raise ``PolicyNotAuthorized`` unless ``ctx`` may do ``action``.

        It also records, for the app's audit, that this request asked.
        """
        wsgi_app.mark_policy_checked()
        try:
            allowed = self._enforcer.enforce(action, target, ctx, do_raise=False)
        except oslo_policy.InvalidScope:
            allowed = False
        if not allowed:
            LOG.info('Policy denied %s to user %s (project %s, domain %s, system %s)',
                     action, ctx.user_id, ctx.project_id, ctx.domain_id, ctx.system_scope)
            raise exceptions.PolicyNotAuthorized(action=action)
