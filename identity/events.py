"""Notifications of identity changes, sent only after the change commits.

Managers queue events on the session of their transaction; the writer of
``identity.backend.Backend`` emits them once the commit succeeded, as
``identity.<resource>.<action>`` with Keystone's basic payload
``{"resource_info": <id>}``.  Other services react to them (for example,
clean up what a deleted project owned).
"""


def queue(session, resource, action, resource_id):
    session.info.setdefault('identity_events', []).append(
        (f'identity.{resource}.{action}', {'resource_info': resource_id}))


def take(session):
    return session.info.pop('identity_events', [])
