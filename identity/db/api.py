"""Queries of the identity database: store and fetch, no rules.

Every function takes the SQLAlchemy session of the caller's transaction.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db import pagination
from common.db.session import is_duplicate_entry
from identity import exceptions
from identity.db import models as m


def get(session, model, row_id, not_found):
    """The row of ``model`` with ``row_id``, or raise ``not_found``."""
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise not_found
    return row


def add(session, row, kind, name):
    """Insert ``row``; a unique-constraint violation becomes ``DuplicateEntry``."""
    session.add(row)
    flush_unique(session, kind, name)
    return row


def flush_unique(session, kind, name):
    try:
        session.flush()
    except sa_exc.IntegrityError as error:
        if is_duplicate_entry(error):
            raise exceptions.DuplicateEntry(type=kind, name=name) from None
        raise


def add_if_absent(session, row):
    """Insert ``row`` unless a concurrent transaction committed the same key first.

    For idempotent writes (``PUT`` of a grant or a membership): the caller
    looked the key up and found nothing, but on MariaDB and PostgreSQL
    another request may insert it in between.  The insert runs in a
    savepoint, so losing that race leaves the transaction usable.

    :returns: True when this call inserted the row.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except sa_exc.IntegrityError as error:
        if is_duplicate_entry(error):
            return False
        raise
    return True


def delete_row(session, row):
    """DELETE ``row`` by primary key; False when another transaction deleted it first."""
    mapper = sa.inspect(type(row)).mapper
    keys = [getattr(row, c.key) for c in mapper.primary_key]
    stmt = sa.delete(type(row)).where(*[c == k for c, k in zip(mapper.primary_key, keys)])
    deleted = session.execute(stmt).rowcount == 1
    session.expunge(row)
    return deleted


def list_rows(session, model, *, where=(), limit=None, marker=None, order_by=None):
    """Rows of ``model`` matching the ``where`` clauses, one page of them."""
    columns = order_by or [model.id]
    stmt = sa.select(model).where(*where)
    marker_values = None
    if marker is not None:
        marker_values = pagination.marker_values(session, model, columns, marker)
    stmt = pagination.paginate(stmt, columns, limit=limit, marker=marker_values)
    return list(session.execute(stmt).scalars())


def find_by_name(session, model, name, domain_id=None):
    stmt = sa.select(model).where(model.name == name)
    if domain_id is not None:
        stmt = stmt.where(model.domain_id == domain_id)
    return session.execute(stmt).scalar_one_or_none()


# -- assignments -------------------------------------------------------------

def group_ids_of_user(session, user_id):
    stmt = sa.select(m.GroupMembership.group_id).where(m.GroupMembership.user_id == user_id)
    return list(session.execute(stmt).scalars())


def user_ids_in_group(session, group_id):
    stmt = sa.select(m.GroupMembership.user_id).where(m.GroupMembership.group_id == group_id)
    return list(session.execute(stmt).scalars())


def assigned_role_ids(session, actor_ids, target_id, types):
    """Ids of roles that any of ``actor_ids`` holds directly on ``target_id``."""
    if not actor_ids:
        return set()
    stmt = sa.select(m.Assignment.role_id).where(
        m.Assignment.actor_id.in_(actor_ids), m.Assignment.target_id == target_id,
        m.Assignment.type.in_([t.value for t in types]))
    return set(session.execute(stmt).scalars())


def assignments(session, *, types=None, actor_ids=None, target_ids=None, role_ids=None):
    """Assignment rows matching every given filter (``None`` = any)."""
    stmt = sa.select(m.Assignment)
    if types is not None:
        stmt = stmt.where(m.Assignment.type.in_([t.value for t in types]))
    if actor_ids is not None:
        stmt = stmt.where(m.Assignment.actor_id.in_(actor_ids))
    if target_ids is not None:
        stmt = stmt.where(m.Assignment.target_id.in_(target_ids))
    if role_ids is not None:
        stmt = stmt.where(m.Assignment.role_id.in_(role_ids))
    stmt = stmt.order_by(m.Assignment.type, m.Assignment.actor_id,
                         m.Assignment.target_id, m.Assignment.role_id)
    return list(session.execute(stmt).scalars())


def delete_assignments(session, *, actor_id=None, target_id=None, role_id=None):
    stmt = sa.delete(m.Assignment)
    if actor_id is not None:
        stmt = stmt.where(m.Assignment.actor_id == actor_id)
    if target_id is not None:
        stmt = stmt.where(m.Assignment.target_id == target_id)
    if role_id is not None:
        stmt = stmt.where(m.Assignment.role_id == role_id)
    session.execute(stmt)


def implications(session):
    """``{prior_role_id: {implied_role_id, …}}`` for every implication rule."""
    result = {}
    for prior, implied in session.execute(
            sa.select(m.ImpliedRole.prior_role_id, m.ImpliedRole.implied_role_id)):
        result.setdefault(prior, set()).add(implied)
    return result


def roles_by_id(session, role_ids):
    if not role_ids:
        return []
    stmt = sa.select(m.Role).where(m.Role.id.in_(role_ids)).order_by(m.Role.name)
    return list(session.execute(stmt).scalars())


# -- catalog -----------------------------------------------------------------

def catalog_rows(session):
    """(service, endpoint) pairs of enabled services and endpoints."""
    stmt = (sa.select(m.Service, m.Endpoint)
            .join(m.Endpoint, m.Endpoint.service_id == m.Service.id)
            .where(m.Service.enabled.is_(True), m.Endpoint.enabled.is_(True))
            .order_by(m.Service.type, m.Service.id, m.Endpoint.interface, m.Endpoint.id))
    return list(session.execute(stmt))


# -- revocation --------------------------------------------------------------

def revocation_event_matches(session, payload, domain_ids):
    """True when a revocation event covers the token with ``payload``.

    An event covers a token issued at or before its ``issued_before`` when
    each of its set fields equals the token's value; ``domain_ids`` are the
    domains the token depends on (its user's, its project's, its scope's).
    """
    e = m.RevocationEvent

    def field_matches(column, value):
        return sa.or_(column.is_(None), column == value) if value is not None else column.is_(None)

    stmt = sa.select(e.id).where(
        e.issued_before >= payload.issued_at,
        field_matches(e.user_id, payload.user_id),
        field_matches(e.project_id, payload.project_id),
        field_matches(e.application_credential_id, payload.application_credential_id),
        sa.or_(e.domain_id.is_(None), e.domain_id.in_(domain_ids)),
        sa.or_(e.audit_id.is_(None), e.audit_id.in_(payload.audit_ids)),
        sa.or_(e.audit_chain_id.is_(None), e.audit_chain_id == payload.audit_chain_id),
    ).limit(1)
    return session.execute(stmt).first() is not None


def prune_revocation_events(session, revoked_before):
    session.execute(sa.delete(m.RevocationEvent)
                    .where(m.RevocationEvent.revoked_at < revoked_before))
