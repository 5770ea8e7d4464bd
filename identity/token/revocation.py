"""Revocation events: how tokens die before they expire.

Fernet tokens are not stored, so revoking one means recording an event that
describes it ("every token of user X issued before T", "the token with
audit id A") and checking the events at each validation.  Events outlive
the tokens they could match by ``[token] expiration`` plus the
allow-expired window, after which they are pruned.
"""
import datetime

from common.db.types import utcnow
from identity.db import api as db_api
from identity.db import models


class Revocations:

    def __init__(self, conf):
        self._retention = datetime.timedelta(
            seconds=conf.token.expiration + conf.token.allow_expired_window)

    def revoke(self, session, *, user_id=None, project_id=None, domain_id=None,
               audit_id=None, audit_chain_id=None, application_credential_id=None,
               issued_before=None):
        """Record that matching tokens issued up to now are no longer valid."""
        now = utcnow()
        session.add(models.RevocationEvent(
            user_id=user_id, project_id=project_id, domain_id=domain_id,
            audit_id=audit_id, audit_chain_id=audit_chain_id,
            application_credential_id=application_credential_id,
            issued_before=issued_before or now, revoked_at=now))
        db_api.prune_revocation_events(session, now - self._retention)

    def revoke_users(self, session, user_ids, **scope):
        for user_id in set(user_ids):
            self.revoke(session, user_id=user_id, **scope)

    def is_revoked(self, session, payload, domain_ids):
        return db_api.revocation_event_matches(session, payload, domain_ids)
