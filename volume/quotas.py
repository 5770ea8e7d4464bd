"""Per-project limits on volumes, snapshots and backups, with the defaults of ``[quota]``.

Nothing is reserved or tracked in counters (Cinder's reservations and
usage rows): usage is counted from the resources themselves (rows not
deleted and not the service's own temporary ones), while the project's
``QuotaLock`` rows of the counted resources are locked; the caller inserts
or grows its rows in the same transaction.  Two concurrent creates of one
project therefore run their check-then-insert one after the other and
cannot together exceed a limit, as in ``network.quotas``.

Resources are Cinder's.  ``gigabytes`` counts volumes (an extend in
progress at its ``requested_size``, which the API took) and snapshots;
``per_volume_gigabytes`` bounds one volume; ``groups`` is shown (clients
expect it) but Stratus has no groups.  Each volume type adds
``volumes_<name>``, ``gigabytes_<name>`` and ``snapshots_<name>``, unlimited
unless set.  A limit of -1 means no limit.
"""
import sqlalchemy as sa

from common.db import quota_locks
from volume import exceptions as vol_exc
from volume.db import models as m

RESOURCES = ('volumes', 'snapshots', 'backups', 'groups', 'per_volume_gigabytes',
             'gigabytes', 'backup_gigabytes')
TYPE_RESOURCES = ('volumes', 'gigabytes', 'snapshots')
UNLIMITED = -1
DB_INTEGER_MAX = 2 ** 31 - 1
# The resources counted from the tables (the others are per request, or not counted).
_COUNTED = ('backup_gigabytes', 'gigabytes', 'volumes', 'snapshots', 'backups')
# What the API ignores in a quota set body (Cinder's NON_QUOTA_KEYS).
NON_QUOTA_KEYS = ('id', 'tenant_id')


def _base(resource):
    """The counted resource a (possibly per-type) resource belongs to; its lock's name."""
    for base in _COUNTED:
        if resource == base or resource.startswith(base + '_'):
            return base
    raise ValueError(f'{resource} is not a counted resource')


def _over(resource, requested, used, limit):
    """The error Cinder answers when ``resource`` would go over ``limit``."""
    base = _base(resource)
    if base == 'gigabytes':
        return vol_exc.VolumeSizeExceedsAvailableQuota(name=resource, requested=requested,
                                                       quota=limit, consumed=used)
    if base == 'backup_gigabytes':
        return vol_exc.VolumeBackupSizeExceedsAvailableQuota(requested=requested, quota=limit,
                                                             consumed=used)
    if base == 'volumes':
        return vol_exc.VolumeLimitExceeded(allowed=limit, name=resource)
    if base == 'snapshots':
        return vol_exc.SnapshotLimitExceeded(allowed=limit)
    return vol_exc.BackupLimitExceeded(allowed=limit)


class Quotas:
    """Limits, usage and enforcement; ``conf`` provides the ``[quota]`` defaults."""

    def __init__(self, conf):
        self._conf = conf

    def defaults(self, session):
        """``{resource: default limit}``, per-type resources included."""
        result = {name: getattr(self._conf.quota, name) for name in RESOURCES}
        for type_name in _type_names(session).values():
            result.update(dict.fromkeys(type_resources(type_name), UNLIMITED))
        return result

    def limits(self, session, project_id):
        """The project's limits: its own where set, the defaults elsewhere."""
        result = self.defaults(session)
        rows = session.execute(sa.select(m.Quota.resource, m.Quota.limit)
                               .where(m.Quota.project_id == project_id))
        for resource, limit in rows:
            if resource in result:
                result[resource] = limit
        return result

    def usage(self, session, project_id):
        """``{resource: in use}``, per-type resources included."""
        used = dict.fromkeys(self.defaults(session), 0)
        used.update(_counted(session, project_id, _type_names(session)))
        return used

    def check_volume_size(self, session, project_id, size):
        """Refuse a volume larger than the project's ``per_volume_gigabytes``.

        :raises VolumeSizeExceedsLimit:
        """
        limit = self.limits(session, project_id)['per_volume_gigabytes']
        if limit != UNLIMITED and size > limit:
            raise vol_exc.VolumeSizeExceedsLimit(size=size, limit=limit)

    def enforce(self, session, project_id, deltas):
        """Raise unless ``deltas`` more fit the project's limits; lock first.

        The project's ``QuotaLock`` rows of the counted resources stay locked
        until the caller's transaction ends, so the caller must insert (or
        grow) its rows in the same transaction (``session``).

        :param deltas: ``{resource: amount}``, e.g. ``{"volumes": 1,
            "gigabytes": 10, "volumes_gold": 1, "gigabytes_gold": 10}``
            (``volume_deltas`` builds it for a volume).
        :raises QuotaError: the error Cinder answers for the first resource,
            in name order, that would go over its limit.
        """
        for base in sorted({_base(r) for r in deltas}):  # one order: no deadlocks
            quota_locks.lock(session, m.QuotaLock, project_id=project_id, resource=base)
        limits = self.limits(session, project_id)
        used = _counted(session, project_id, _type_names(session))
        for resource in sorted(deltas):
            delta, limit = deltas[resource], limits.get(resource, UNLIMITED)
            if delta > 0 and limit != UNLIMITED and used.get(resource, 0) + delta > limit:
                raise _over(resource, delta, used.get(resource, 0), limit)

    def set_limits(self, session, project_id, values):
        """Set the project's limits ``{resource: int}`` (the API has checked the values).

        :raises InvalidInput: a resource that does not exist.
        :raises QuotaBelowUsage: a limit below what the project already uses
            (``per_volume_gigabytes`` aside), as Cinder refuses it.
        """
        known = self.defaults(session)
        bad = sorted(k for k in values if k not in known)
        if bad:
            raise vol_exc.InvalidInput(reason='Bad key(s) in quota set: ' + ', '.join(bad))
        for base in sorted({_base(r) for r in values if _is_counted(r)}):
            quota_locks.lock(session, m.QuotaLock, project_id=project_id, resource=base)
        used = self.usage(session, project_id)
        for key, value in values.items():
            if key != 'per_volume_gigabytes' and value != UNLIMITED and value < used[key]:
                raise vol_exc.QuotaBelowUsage(key=key, usage=used[key], limit=value)
        existing = {row.resource: row for row in session.execute(
            sa.select(m.Quota).where(m.Quota.project_id == project_id)).scalars()}
        for key, value in values.items():
            if key in existing:
                existing[key].limit = value
            else:
                session.add(m.Quota(project_id=project_id, resource=key, limit=value))
        session.flush()

    def reset(self, session, project_id):
        """Forget the project's limits: the defaults apply again."""
        session.execute(sa.delete(m.Quota).where(m.Quota.project_id == project_id))


def type_resources(type_name):
    return [f'{resource}_{type_name}' for resource in TYPE_RESOURCES]


def volume_deltas(size, type_name, count=1):
    """The ``deltas`` of ``count`` new volumes of ``size`` GiB and type ``type_name``."""
    deltas = {'volumes': count, 'gigabytes': size * count}
    if type_name is not None:
        deltas.update({f'volumes_{type_name}': count, f'gigabytes_{type_name}': size * count})
    return deltas


def snapshot_deltas(size, type_name):
    """The ``deltas`` of a new snapshot of a ``size`` GiB volume of type ``type_name``."""
    deltas = {'snapshots': 1, 'gigabytes': size}
    if type_name is not None:
        deltas.update({f'snapshots_{type_name}': 1, f'gigabytes_{type_name}': size})
    return deltas


def rename_type(session, old_name, new_name):
    """Carry the per-type limits of a renamed volume type over to its new name."""
    for resource in TYPE_RESOURCES:
        session.execute(sa.update(m.Quota).where(m.Quota.resource == f'{resource}_{old_name}')
                        .values(resource=f'{resource}_{new_name}'))


def forget_type(session, type_name):
    """Drop the per-type limits of a deleted volume type."""
    session.execute(sa.delete(m.Quota).where(m.Quota.resource.in_(type_resources(type_name))))


def _is_counted(resource):
    try:
        _base(resource)
    except ValueError:
        return False
    return True


def _type_names(session):
    return dict(session.execute(sa.select(m.VolumeType.id, m.VolumeType.name)).all())


def _live(model, project_id):
    return (model.project_id == project_id, model.deleted_at.is_(None),
            *((model.use_quota.is_(True),) if hasattr(model, 'use_quota') else ()))


def _counted(session, project_id, type_names):
    """Usage of every counted resource (per type too) of ``project_id``."""
    used = dict.fromkeys(_COUNTED, 0)
    for name in type_names.values():
        used.update(dict.fromkeys(type_resources(name), 0))
    volumes = session.execute(
        sa.select(m.Volume.volume_type_id, sa.func.count(),
                  sa.func.sum(sa.func.coalesce(m.Volume.requested_size, m.Volume.size)))
        .where(*_live(m.Volume, project_id)).group_by(m.Volume.volume_type_id))
    for type_id, count, gigabytes in volumes:
        used['volumes'] += count
        used['gigabytes'] += int(gigabytes or 0)
        if type_id in type_names:
            used[f'volumes_{type_names[type_id]}'] += count
            used[f'gigabytes_{type_names[type_id]}'] += int(gigabytes or 0)
    snapshots = session.execute(
        sa.select(m.Snapshot.volume_type_id, sa.func.count(), sa.func.sum(m.Snapshot.volume_size))
        .where(*_live(m.Snapshot, project_id)).group_by(m.Snapshot.volume_type_id))
    for type_id, count, gigabytes in snapshots:
        used['snapshots'] += count
        used['gigabytes'] += int(gigabytes or 0)
        if type_id in type_names:
            used[f'snapshots_{type_names[type_id]}'] += count
            used[f'gigabytes_{type_names[type_id]}'] += int(gigabytes or 0)
    count, gigabytes = session.execute(
        sa.select(sa.func.count(), sa.func.sum(m.Backup.size))
        .where(*_live(m.Backup, project_id))).one()
    used['backups'] = count
    used['backup_gigabytes'] = int(gigabytes or 0)
    return used
