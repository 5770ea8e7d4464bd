"""Compute quotas: limits per project, usage counted from the tables, enforcement.

Nothing is reserved or tracked in counters: usage is counted from the
resources themselves (servers, key pairs, server groups) while the owner's
``QuotaLock`` row is locked, and the caller inserts its new rows in the same
transaction.  Two concurrent creates of one project therefore run their
check-then-insert one after the other, and cannot together exceed a limit
(``tests/functional/compute/test_quota_concurrency.py``).

Limits are ``[quota]`` defaults, overridden per project by ``ProjectQuota``
rows; -1 means unlimited.  Key pairs belong to users: their limit is the
project's, counted per user, as in Nova.
"""
import sqlalchemy as sa

from common import exceptions
from common.db import quota_locks
from compute.db import models as m

RESOURCES = ('instances', 'cores', 'ram', 'key_pairs', 'server_groups',
             'server_group_members', 'metadata_items', 'injected_files',
             'injected_file_content_bytes', 'injected_file_path_length')
# Limits on one request (one server's metadata, its files), not on a total.
PER_REQUEST = ('metadata_items', 'injected_files', 'injected_file_content_bytes',
               'injected_file_path_length')
USER_RESOURCES = ('key_pairs',)
UNLIMITED = -1

# What Nova's APIs answer when these limits are exceeded.
_MESSAGES = {
    'key_pairs': 'Quota exceeded, too many key pairs.',
    'server_groups': 'Quota exceeded, too many server groups.',
    'server_group_members': 'Quota exceeded, too many servers in group',
    'metadata_items': 'Maximum number of metadata items exceeds %(allowed)s',
    'injected_files': 'Personality file limit exceeded',
    'injected_file_content_bytes': 'Personality file content exceeds maximum %(allowed)s',
    'injected_file_path_length': 'Personality file path exceeds maximum %(allowed)s',
}


class QuotaExceeded(exceptions.Forbidden):
    """A create would take more than a limit allows (Nova answers 403)."""
    msg_fmt = ('Quota exceeded for %(resource)s: Requested %(requested)s, but already used '
               '%(used)s of %(allowed)s %(resource)s')

    def __init__(self, resource, requested, used, allowed):
        special = _MESSAGES.get(resource)
        message = special % {'allowed': allowed} if special else None
        super().__init__(message, resource=resource, requested=requested, used=used,
                         allowed=allowed)
        self.resource = resource


class QuotaBelowUsage(exceptions.BadRequest):
    msg_fmt = ('Quota limit %(limit)s for %(resource)s must be greater than or equal to '
               'already used and reserved %(used)s.')


class Quotas:
    """Limits, usage and enforcement; ``conf`` provides the ``[quota]`` defaults."""

    def __init__(self, conf):
        self._conf = conf

    def defaults(self):
        return {name: getattr(self._conf.quota, name) for name in RESOURCES}

    def limits(self, session, project_id):
        """``{resource: limit}`` of a project: its overrides, else the defaults."""
        limits = self.defaults()
        rows = session.execute(sa.select(m.ProjectQuota.resource, m.ProjectQuota.hard_limit)
                               .where(m.ProjectQuota.project_id == project_id))
        for resource, hard_limit in rows:
            if resource in limits:
                limits[resource] = hard_limit
        return limits

    def usage(self, session, project_id, user_id=None):
        """``{resource: in_use}``; key pairs are counted for ``user_id`` (0 without one).

        Per-request and per-group resources have no project-wide usage: 0.
        """
        used = dict.fromkeys(RESOURCES, 0)
        used.update(_instance_usage(session, project_id))
        used['server_groups'] = _count(session, m.ServerGroup.project_id == project_id)
        if user_id is not None:
            used['key_pairs'] = _count(session, m.KeyPair.user_id == user_id)
        return used

    def enforce(self, session, project_id, deltas, user_id=None, group_id=None):
        """Raise ``QuotaExceeded`` unless ``deltas`` more fit the limits; lock first.

        The owners' ``QuotaLock`` rows stay locked until the caller's
        transaction ends, so the caller must insert the new rows in the same
        transaction (``session``).

        :param deltas: ``{resource: amount}`` to add, e.g. ``{"instances": 2,
            "cores": 4, "ram": 1024}``.  For the per-request resources the
            amount is the request's own (number of metadata items; number of
            files, largest file's bytes, longest path).
        :param user_id: the owner of new key pairs (needed for ``key_pairs``).
        :param group_id: the server group (its ``id`` or ``uuid``) gaining
            members (needed for ``server_group_members``).
        :raises QuotaExceeded: when a limit would be exceeded.
        """
        unknown = set(deltas) - set(RESOURCES)
        if unknown:
            raise ValueError(f'unknown quota resources: {sorted(unknown)}')
        owners = set()
        if any(r not in USER_RESOURCES and r not in PER_REQUEST for r in deltas):
            owners.add(project_id)
        if 'key_pairs' in deltas:
            if user_id is None:
                raise ValueError('key_pairs are counted per user: user_id is required')
            owners.add(user_id)
        for owner in sorted(owners):  # one order everywhere: no deadlock between owners
            quota_locks.lock(session, m.QuotaLock, owner_id=owner)
        limits = self.limits(session, project_id)
        used = self._counted(session, project_id, deltas, user_id, group_id)
        for resource, delta in deltas.items():
            limit = limits[resource]
            if delta <= 0 or limit == UNLIMITED:
                continue
            if used[resource] + delta > limit:
                raise QuotaExceeded(resource, delta, used[resource], limit)

    def _counted(self, session, project_id, deltas, user_id, group_id):
        used = dict.fromkeys(RESOURCES, 0)
        if {'instances', 'cores', 'ram'} & set(deltas):
            used.update(_instance_usage(session, project_id))
        if 'server_groups' in deltas:
            used['server_groups'] = _count(session, m.ServerGroup.project_id == project_id)
        if 'key_pairs' in deltas:
            used['key_pairs'] = _count(session, m.KeyPair.user_id == user_id)
        if 'server_group_members' in deltas:
            if group_id is None:
                raise ValueError('server_group_members needs group_id')
            used['server_group_members'] = _group_members(session, group_id)
        return used

    def set_limits(self, session, project_id, limits, force=True):
        """Override the project's limits (``{resource: limit}``); others are kept.

        :param force: when false, refuse a limit below what the project uses.
        :raises QuotaBelowUsage: (without ``force``) a limit is below the usage.
        """
        unknown = set(limits) - set(RESOURCES)
        if unknown:
            raise ValueError(f'unknown quota resources: {sorted(unknown)}')
        quota_locks.lock(session, m.QuotaLock, owner_id=project_id)
        if not force:
            used = self.usage(session, project_id)
            for resource, limit in limits.items():
                if limit != UNLIMITED and limit < used[resource]:
                    raise QuotaBelowUsage(limit=limit, resource=resource,
                                          used=used[resource])
        existing = {row.resource: row for row in session.execute(
            sa.select(m.ProjectQuota).where(m.ProjectQuota.project_id == project_id)).scalars()}
        for resource, limit in limits.items():
            if resource in existing:
                existing[resource].hard_limit = limit
            else:
                session.add(m.ProjectQuota(project_id=project_id, resource=resource,
                                           hard_limit=limit))
        session.flush()

    def reset(self, session, project_id):
        """Forget the project's overrides: the defaults apply again."""
        quota_locks.lock(session, m.QuotaLock, owner_id=project_id)
        session.execute(sa.delete(m.ProjectQuota).where(m.ProjectQuota.project_id == project_id))


def _count(session, condition):
    return session.execute(sa.select(sa.func.count()).where(condition)).scalar_one()


def _instance_usage(session, project_id):
    row = session.execute(
        sa.select(sa.func.count(m.Instance.id),
                  sa.func.coalesce(sa.func.sum(m.Instance.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(m.Instance.memory_mb), 0))
        .where(m.Instance.project_id == project_id, m.Instance.deleted_at.is_(None))).one()
    return {'instances': int(row[0]), 'cores': int(row[1]), 'ram': int(row[2])}


def _group_members(session, group_id):
    stmt = sa.select(sa.func.count()).select_from(m.ServerGroupMember)
    if isinstance(group_id, int):
        stmt = stmt.where(m.ServerGroupMember.group_id == group_id)
    else:
        stmt = stmt.join(m.ServerGroup, m.ServerGroup.id == m.ServerGroupMember.group_id).where(
            m.ServerGroup.uuid == group_id)
    return session.execute(stmt).scalar_one()
