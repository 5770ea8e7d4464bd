"""Per-project limits on resources, with the defaults of ``[quotas]``.

A create counts the project's rows in its own transaction, with the
project's ``QuotaLock`` row of the resource locked, and inserts its row in
that same transaction: two concurrent creates of one project run their
check-then-insert one after the other and cannot together exceed a limit
(``tests/functional/network/test_quota_concurrency.py``).  A limit of -1
means no limit.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from network import exceptions as net_exc
from network.db import api as db_api
from network.db import models as m

# Resource name (as Neutron's quota API spells it) -> the table it counts.
COUNTED = {
    'network': m.Network,
    'subnet': m.Subnet,
    'port': m.Port,
    'router': m.Router,
    'floatingip': m.FloatingIP,
    'security_group': m.SecurityGroup,
    'security_group_rule': m.SecurityGroupRule,
}
# The owner of the ports the service makes for itself (router gateways, floating
# IPs): as in Neutron, they belong to no project and count against no quota.
SERVICE_PROJECT = ''
# The largest limit an INTEGER column holds on every database (Neutron's bound too).
DB_INTEGER_MAX = 2 ** 31 - 1
RESOURCES = ('network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
             'security_group_rule')


def defaults(conf):
    return {name: getattr(conf.quotas, f'quota_{name}') for name in RESOURCES}


def limits(session, conf, project_id):
    """The project's limits: its own where set, the defaults elsewhere."""
    result = defaults(conf)
    rows = session.execute(sa.select(m.Quota).where(m.Quota.project_id == project_id))
    for quota in rows.scalars():
        if quota.resource in result:
            result[quota.resource] = quota.limit
    return result


def usage(session, project_id):
    used = {name: 0 for name in RESOURCES}
    for name, model in COUNTED.items():
        used[name] = db_api.count(session, model, project_id)
    return used


def check(session, conf, project_id, resource, adding=1):
    """Raise ``OverQuota`` when ``adding`` more ``resource`` would exceed the limit."""
    if project_id == SERVICE_PROJECT:
        return
    limit = limits(session, conf, project_id)[resource]
    if limit < 0:
        return
    _lock(session, project_id, resource)
    if db_api.count(session, COUNTED[resource], project_id) + adding > limit:
        raise net_exc.OverQuota(resource=resource)


def _lock(session, project_id, resource):
    """Lock the project's ``QuotaLock`` row of ``resource`` until the transaction ends
    (create it first).

    On MariaDB and PostgreSQL ``FOR UPDATE`` makes every other check of the
    project and resource wait; on SQLite the writer transaction already
    serialises writers.
    """
    stmt = sa.select(m.QuotaLock.project_id).where(m.QuotaLock.project_id == project_id,
                                                   m.QuotaLock.resource == resource)
    if session.execute(stmt.with_for_update()).first() is None:
        _create_lock(session, project_id, resource)
        session.execute(stmt.with_for_update()).one()


def _create_lock(session, project_id, resource):
    """Insert the lock row, unless another request just did.

    On MariaDB and PostgreSQL the row is committed at once, in a transaction
    of its own: inserted by the request's transaction it would vanish if that
    transaction rolled back (a refused request), and the requests waiting on
    that uncommitted insert would deadlock against each other.  On SQLite the
    request's transaction is the only writer: it inserts the row itself.
    """
    bind = session.get_bind()
    try:
        if bind.dialect.name == 'sqlite':
            with session.begin_nested():
                session.add(m.QuotaLock(project_id=project_id, resource=resource))
        else:
            with bind.connect() as connection, connection.begin():
                connection.execute(sa.insert(m.QuotaLock).values(project_id=project_id,
                                                                 resource=resource))
    except sa_exc.IntegrityError as error:
        if not is_duplicate_entry(error):
            raise


def projects_with_quotas(session):
    return sorted(set(session.execute(sa.select(m.Quota.project_id)).scalars()))


def check_below_usage(session, project_id, values):
    """Refuse limits below what ``project_id`` already uses (409, Neutron's check_limit)."""
    used = usage(session, project_id)
    unders = [f'{name}: {value} < {used[name]}' for name, value in values.items()
              if name in used and isinstance(value, int) and 0 <= value < used[name]]
    if unders:
        raise net_exc.InvalidQuotaValue(unders=', '.join(sorted(unders)))


def set_limits(session, project_id, values):
    """Store ``{resource: limit}`` for ``project_id`` (unknown resources refused)."""
    for name, value in values.items():
        if name not in RESOURCES:
            raise exceptions.BadRequest(f"Unrecognized attribute(s) '{name}'")
        if not isinstance(value, int) or isinstance(value, bool) or \
                not -1 <= value <= DB_INTEGER_MAX:
            raise net_exc.InvalidInput(detail=f"'{value}' is not a valid quota for {name}")
        row = session.get(m.Quota, (project_id, name))
        if row is None:
            session.add(m.Quota(project_id=project_id, resource=name, limit=value))
        else:
            row.limit = value
    session.flush()


def reset(session, project_id):
    session.execute(sa.delete(m.Quota).where(m.Quota.project_id == project_id))
